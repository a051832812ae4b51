package confine

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// fingerprint is what the account can see of the server outside the
// scratch database: key ("table app.t") -> fields ("UPDATE_TIME=...")
// joined by fieldSep. Long or sensitive values are digests.
type fingerprint map[string]string

const fieldSep = "\x1f"

// notWatched are schemas whose content moves without anyone writing to
// another database: the server's own views, and rehearse_* databases
// (scratch databases of this and of other rehearsals, their probe copies,
// calibrations), which come and go.
func notWatched(schema, scratch string) bool {
	l := strings.ToLower(schema)
	return l == "information_schema" || l == "performance_schema" || l == strings.ToLower(scratch) || strings.HasPrefix(l, "rehearse_")
}

// volatile are system tables the server writes when anyone works
// anywhere, the scratch database included: persistent statistics (of
// every table), the GTID state, logs, replication state, MariaDB's
// routine and event stores (the routines and events of other databases are
// compared through information_schema instead).
var volatile = map[string]bool{
	"mysql.innodb_table_stats": true, "mysql.innodb_index_stats": true,
	"mysql.table_stats": true, "mysql.column_stats": true, "mysql.index_stats": true,
	"mysql.gtid_executed": true, "mysql.gtid_slave_pos": true, "mysql.transaction_registry": true,
	"mysql.general_log": true, "mysql.slow_log": true,
	"mysql.slave_master_info": true, "mysql.slave_relay_log_info": true, "mysql.slave_worker_info": true,
	"mysql.proc": true, "mysql.event": true,
}

// accountTables hold accounts and privileges (whichever exist and are
// readable): compared as digests of their rows.
var accountTables = []string{"user", "global_priv", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping", "role_edges", "default_roles"}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// take reads the fingerprint on conn (a session with fresh
// information_schema statistics). Queries that the account may not run
// (accounts) are skipped and said in notes.
func take(ctx context.Context, conn *sql.Conn, scratch string) (fingerprint, []string, error) {
	fp := fingerprint{}
	var notes []string
	skip := func(schema string) bool { return notWatched(schema, scratch) }

	err := each(ctx, conn, `SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA`, func(v []sql.NullString) {
		if !skip(v[0].String) {
			fp["database "+v[0].String] = fields("charset", v[1].String, "collation", v[2].String)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	err = each(ctx, conn, `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, AUTO_INCREMENT, CREATE_TIME, UPDATE_TIME, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT
		FROM information_schema.TABLES`, func(v []sql.NullString) {
		name := v[0].String + "." + v[1].String
		if skip(v[0].String) || volatile[strings.ToLower(name)] {
			return
		}
		// TABLE_ROWS: exact for MyISAM and Aria; InnoDB's follows every
		// insert and delete (an estimate its statistics thread may also
		// refresh after earlier writes) and is what a TRUNCATE on MariaDB
		// moves (not UPDATE_TIME).
		fp["table "+name] = fields("type", v[2].String, "engine", v[3].String, "TABLE_ROWS", v[4].String, "AUTO_INCREMENT", v[5].String,
			"CREATE_TIME", v[6].String, "UPDATE_TIME", v[7].String, "collation", v[8].String, "options", v[9].String, "comment", digest(v[10].String))
	})
	if err != nil {
		return nil, nil, err
	}
	defs := map[string][]string{}
	for _, q := range []struct{ kind, sql string }{
		{"columns", `SELECT TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS ORDER BY 1, 2, 3`},
		{"indexes", `SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE, SUB_PART FROM information_schema.STATISTICS ORDER BY 1, 2, 3, 4`},
		{"constraints", `SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS ORDER BY 1, 2, 3`},
	} {
		per := map[string][]string{}
		err := each(ctx, conn, q.sql, func(v []sql.NullString) {
			if skip(v[0].String) {
				return
			}
			key := v[0].String + "." + v[1].String
			for _, x := range v[2:] {
				per[key] = append(per[key], x.String+fmt.Sprint(x.Valid))
			}
		})
		if err != nil {
			return nil, nil, err
		}
		for t, parts := range per {
			defs[t] = append(defs[t], q.kind, digest(parts...))
		}
	}
	for t, f := range defs {
		fp["definition of "+t] = fields(f...)
	}
	for _, q := range []struct{ kind, sql string }{
		{"routine", `SELECT ROUTINE_SCHEMA, CONCAT(ROUTINE_NAME, ' (', ROUTINE_TYPE, ')'), CREATED, LAST_ALTERED, ROUTINE_DEFINITION, SQL_MODE, SECURITY_TYPE, DEFINER FROM information_schema.ROUTINES`},
		{"trigger", `SELECT TRIGGER_SCHEMA, TRIGGER_NAME, CREATED, CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ON ', EVENT_OBJECT_TABLE), ACTION_STATEMENT, SQL_MODE, DEFINER FROM information_schema.TRIGGERS`},
		{"event", `SELECT EVENT_SCHEMA, EVENT_NAME, CREATED, LAST_ALTERED, EVENT_DEFINITION, CONCAT_WS(' ', STATUS, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS, ON_COMPLETION), DEFINER FROM information_schema.EVENTS`},
		{"view", `SELECT TABLE_SCHEMA, TABLE_NAME, CHECK_OPTION, SECURITY_TYPE, VIEW_DEFINITION, DEFINER FROM information_schema.VIEWS`},
	} {
		err := each(ctx, conn, q.sql, func(v []sql.NullString) {
			if skip(v[0].String) {
				return
			}
			var parts []string
			for _, x := range v[2:] {
				parts = append(parts, x.String)
			}
			fp[q.kind+" "+v[0].String+"."+v[1].String] = fields("definition", digest(parts...))
		})
		if err != nil {
			return nil, nil, err
		}
	}
	readable := 0
	for _, t := range accountTables {
		var rows []string
		err := each(ctx, conn, "SELECT * FROM mysql."+t, func(v []sql.NullString) {
			var parts []string
			for _, x := range v {
				parts = append(parts, x.String+fmt.Sprint(x.Valid))
			}
			rows = append(rows, digest(parts...))
		})
		if err != nil {
			continue // missing on this flavor, or not readable by the account
		}
		readable++
		sort.Strings(rows)
		fp["accounts mysql."+t] = fields("rows", fmt.Sprint(len(rows)), "content", digest(rows...))
	}
	if readable == 0 {
		notes = append(notes, "accounts and privileges not readable by the account (mysql.user): a change to them is not detected")
	}
	err = each(ctx, conn, "SHOW GLOBAL VARIABLES", func(v []sql.NullString) {
		name := strings.ToLower(v[0].String)
		if strings.HasPrefix(name, "gtid_") || name == "timestamp" { // moved by every transaction, anyone's
			return
		}
		fp["global variable "+name] = fields("value", v[1].String)
	})
	if err != nil {
		notes = append(notes, "global variables not readable: a SET GLOBAL is not detected")
	}
	return fp, notes, nil
}

func fields(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(fieldSep)
		}
		b.WriteString(kv[i] + "=" + kv[i+1])
	}
	return b.String()
}

// each runs q and calls f with every row's columns as strings.
func each(ctx context.Context, conn *sql.Conn, q string, f func([]sql.NullString)) error {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		f(vals)
	}
	return rows.Err()
}

// diff lists what differs between two fingerprints, sorted.
func diff(before, after fingerprint) []string {
	var out []string
	for k, a := range after {
		b, ok := before[k]
		switch {
		case !ok:
			out = append(out, k+": created")
		case a != b:
			out = append(out, k+": "+fieldDiff(b, a))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k+": dropped")
		}
	}
	sort.Strings(out)
	return out
}

func fieldDiff(before, after string) string {
	bf := map[string]string{}
	for _, f := range strings.Split(before, fieldSep) {
		k, v, _ := strings.Cut(f, "=")
		bf[k] = v
	}
	var changed []string
	for _, f := range strings.Split(after, fieldSep) {
		k, v, _ := strings.Cut(f, "=")
		if bf[k] != v {
			switch k {
			case "definition", "content", "comment", "columns", "indexes", "constraints":
				changed = append(changed, k+" changed")
			default:
				changed = append(changed, fmt.Sprintf("%s %s -> %s", k, orNone(bf[k]), orNone(v)))
			}
		}
	}
	return strings.Join(changed, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
