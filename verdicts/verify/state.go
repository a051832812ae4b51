package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// state is production's schema and a fingerprint of its rows: per table
// its definition, and per column a checksum over the rows that existed
// before the release (a single-column primary key at most the
// pre-release maximum, compared as the server compares it: a case's app
// inserts keys past the pre-release ones; the whole table otherwise).
type state struct {
	create map[string]string           // table -> SHOW CREATE TABLE, AUTO_INCREMENT counter removed
	sums   map[string]map[string]int64 // table -> column -> checksum
	rows   map[string]int64            // table -> pre-release rows present
	maxPK  map[string]*string          // table -> max primary key (only in the pre-release state; nil: an empty table)
	pk     map[string]string           // table -> its single-column primary key
}

var autoInc = regexp.MustCompile(`\s*AUTO_INCREMENT=\d+`)

// state captures the current state; pre (nil for the pre-release state
// itself) gives the row range to fingerprint.
func (v *verifier) state(ctx context.Context, pre *state) (*state, error) {
	st := &state{create: map[string]string{}, sums: map[string]map[string]int64{}, rows: map[string]int64{},
		maxPK: map[string]*string{}, pk: map[string]string{}}
	tables, err := strs(ctx, v.main, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		var name, create string
		if err := v.main.QueryRowContext(ctx, "SHOW CREATE TABLE `"+t+"`").Scan(&name, &create); err != nil {
			return nil, err
		}
		st.create[t] = autoInc.ReplaceAllString(create, "")
		cols, err := strs(ctx, v.main, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", t)
		if err != nil {
			return nil, err
		}
		pkCols, err := strs(ctx, v.main, `SELECT k.COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE k
			WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.CONSTRAINT_NAME = 'PRIMARY'`, t)
		if err != nil {
			return nil, err
		}
		where, args := "", []any{}
		if len(pkCols) == 1 {
			st.pk[t] = pkCols[0]
			if pre == nil {
				var mx sql.NullString
				if err := v.main.QueryRowContext(ctx, "SELECT MAX(`"+pkCols[0]+"`) FROM `"+t+"`").Scan(&mx); err != nil {
					return nil, err
				}
				if mx.Valid {
					st.maxPK[t] = &mx.String
				}
			}
			src := st
			if pre != nil {
				src = pre
			}
			if src.pk[t] == pkCols[0] && src.maxPK[t] != nil {
				where, args = fmt.Sprintf(" WHERE `%s` <= ?", pkCols[0]), []any{*src.maxPK[t]}
			}
		}
		exprs := []string{"COUNT(*)"}
		for _, c := range cols {
			exprs = append(exprs, fmt.Sprintf("COALESCE(SUM(CRC32(COALESCE(CONCAT('v', CAST(`%s` AS CHAR)), 'null'))), 0)", c))
		}
		vals := make([]any, len(exprs))
		out := make([]int64, len(exprs))
		for i := range vals {
			vals[i] = &out[i]
		}
		if err := v.main.QueryRowContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM `"+t+"`"+where, args...).Scan(vals...); err != nil {
			return nil, fmt.Errorf("fingerprint %s: %w", t, err)
		}
		st.rows[t] = out[0]
		st.sums[t] = map[string]int64{}
		for i, c := range cols {
			st.sums[t][c] = out[i+1]
		}
	}
	return st, nil
}

func strs(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// down runs m's down and judges it against the state before m's up:
// failed (the down errs), irreversible (no down, or an empty down of an
// up that has statements), data_lost (a value of a
// pre-release row in a column present before the up and after the down
// differs, or rows are missing), differences (a table's definition
// differs), restores. Differences a later migration's down left are not
// charged to this one: a table whose definition, or a column whose values,
// or rows that already differed from the state after this up when this
// down started (a later migration's up and down did it, charged there). stop says the rollback cannot go on (as a runner
// stops).
func (v *verifier) down(ctx context.Context, m *migration, failed bool, before, after, pre *state) (verdict, detail string, stop bool, err error) {
	if failed && sameSchema(before, after) {
		return "restores", "nothing committed before the failure: no down needed", false, nil
	}
	if m.Down == nil || onlyComments(*m.Down) && !onlyComments(m.Up) {
		return "irreversible", "no down, or a down without statements", true, nil
	}
	// An empty down of an empty up (Authelia's V0025: the work is in the
	// runner's code): the runner runs it as a no-op and goes on; judged
	// below like any down.
	was, err := v.state(ctx, pre)
	if err != nil {
		return "", "", false, err
	}
	stmts := split(*m.Down)
	if routine.MatchString(*m.Down) {
		stmts = []stmt{{SQL: *m.Down}}
	}
	for i, s := range stmts {
		o := stmtObs{At: fmt.Sprintf("down %s#%d", m.Version, i+1)}
		v.execMain(ctx, s.SQL, &o)
		if o.Code != 0 {
			return "failed", fmt.Sprintf("statement %d: error %d: %s", i+1, o.Code, short(o.Msg, 120)), true, nil
		}
	}
	now, err := v.state(ctx, pre)
	if err != nil {
		return "", "", false, err
	}
	var lost, diffs []string
	for t, def := range before.create {
		if after.create[t] != was.create[t] {
			continue // a later down left this table changed: not this one's doing
		}
		if now.create[t] == "" {
			diffs = append(diffs, "table "+t+" missing")
			lost = append(lost, "table "+t+" missing")
			continue
		}
		if now.create[t] != def {
			diffs = append(diffs, "table "+t+" differs")
		}
		if now.rows[t] < before.rows[t] {
			if was.rows[t] < after.rows[t] {
				continue // rows a later migration lost
			}
			lost = append(lost, fmt.Sprintf("%s: %d of %d pre-release rows left", t, now.rows[t], before.rows[t]))
			continue
		}
		for c, sum := range before.sums[t] {
			if w, ok := was.sums[t][c]; ok && w != after.sums[t][c] {
				continue // values a later migration changed
			}
			if s, ok := now.sums[t][c]; ok && s != sum {
				lost = append(lost, fmt.Sprintf("%s.%s: values differ", t, c))
			}
		}
	}
	for t := range now.create {
		if _, ok := before.create[t]; !ok && after.create[t] == was.create[t] {
			diffs = append(diffs, "table "+t+" left behind")
		}
	}
	sort.Strings(lost)
	sort.Strings(diffs)
	switch {
	case len(lost) > 0:
		return "data_lost", strings.Join(lost, "; "), false, nil
	case len(diffs) > 0:
		return "differences", strings.Join(diffs, "; "), false, nil
	}
	n := int64(0)
	for _, r := range before.rows {
		n += r
	}
	return "restores", fmt.Sprintf("schema as before its up; %d pre-release rows unchanged", n), false, nil
}

func sameSchema(a, b *state) bool {
	if len(a.create) != len(b.create) {
		return false
	}
	for t, d := range a.create {
		if b.create[t] != d {
			return false
		}
	}
	return true
}
