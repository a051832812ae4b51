package snapshot

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// captureTables reads every base table of schema: one catalog query per
// kind of fact (tables, columns, indexes, foreign keys, checks, partitions)
// for the whole schema, and SHOW CREATE TABLE per table. Statistics come from
// the catalog; nothing scans rows.
func (s *session) captureTables(ctx context.Context, schema string) ([]Table, error) {
	rs, err := s.rows(ctx, `SELECT TABLE_NAME, ENGINE, ROW_FORMAT, TABLE_ROWS, AVG_ROW_LENGTH, DATA_LENGTH,
		INDEX_LENGTH, AUTO_INCREMENT, TABLE_COLLATION, TABLE_COMMENT
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
		ORDER BY TABLE_NAME`, schema)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", schema, err)
	}
	tables := make([]Table, 0, len(rs))
	byName := map[string]*Table{}
	for _, r := range rs {
		t := Table{
			Name:      r.str("table_name"),
			Engine:    r.str("engine"),
			RowFormat: r.str("row_format"),
			Collation: r.str("table_collation"),
			Comment:   r.str("table_comment"),
			Stats: TableStats{
				Rows:         r.int("table_rows"),
				DataBytes:    r.int("data_length"),
				IndexBytes:   r.int("index_length"),
				AvgRowLength: r.int("avg_row_length"),
			},
		}
		if v := r.ptr("auto_increment"); v != nil {
			if n, err := strconv.ParseUint(*v, 10, 64); err == nil {
				t.Stats.AutoIncrement = &n
			}
		}
		tables = append(tables, t)
	}
	for i := range tables {
		byName[tables[i].Name] = &tables[i]
	}
	if len(tables) == 0 {
		return tables, nil
	}
	for i := range tables {
		t := &tables[i]
		create, err := s.showCreate(ctx, "TABLE", schema, t.Name, "create table")
		if err != nil {
			return nil, err
		}
		t.CreateSQL = create
		t.Partitioning = partitionClause(create)
	}
	steps := []func(context.Context, string, map[string]*Table) error{
		s.captureColumns, s.captureIndexes, s.captureForeignKeys, s.captureChecks, s.capturePartitions,
	}
	for _, step := range steps {
		if err := step(ctx, schema, byName); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

// showCreate runs SHOW CREATE <kind> and returns the named column.
func (s *session) showCreate(ctx context.Context, kind, schema, name, col string) (string, error) {
	rs, err := s.rows(ctx, "SHOW CREATE "+kind+" "+mysqlkit.Qualified(schema, name))
	if err != nil {
		if isAccessDenied(err) {
			return "", privilegeError(err, fmt.Sprintf("SHOW CREATE %s %s.%s", kind, schema, name), privilegeFor(kind, s.flavor), s.flavor, schema)
		}
		return "", fmt.Errorf("SHOW CREATE %s %s.%s: %w", kind, schema, name, err)
	}
	if len(rs) == 0 || !rs[0][col].Valid {
		return "", privilegeError(fmt.Errorf("the server returned no definition"),
			fmt.Sprintf("SHOW CREATE %s %s.%s", kind, schema, name), privilegeFor(kind, s.flavor), s.flavor, schema)
	}
	return rs[0].str(col), nil
}

func privilegeFor(kind, flavor string) string {
	switch kind {
	case "VIEW":
		return "SHOW VIEW"
	case "TRIGGER":
		return "TRIGGER"
	case "EVENT":
		return "EVENT"
	case "PROCEDURE", "FUNCTION":
		if flavor == "mariadb" {
			return "SELECT on mysql.proc"
		}
		return "SHOW_ROUTINE"
	}
	return "SELECT"
}

var partitionRe = regexp.MustCompile(`(?s)(?:/\*!\d+\s*)?\bPARTITION BY\b.*$`)

// partitionClause extracts the PARTITION BY clause of a CREATE TABLE text
// (without the version comment wrapper), or "".
func partitionClause(create string) string {
	m := partitionRe.FindString(create)
	if m == "" {
		return ""
	}
	m = strings.TrimSpace(m)
	if strings.HasPrefix(m, "/*!") {
		m = strings.TrimSpace(strings.TrimSuffix(m, "*/"))
		m = m[strings.Index(m, "PARTITION BY"):]
	}
	return m
}

func (s *session) captureColumns(ctx context.Context, schema string, tables map[string]*Table) error {
	rs, err := s.rows(ctx, `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE,
		DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION,
		CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, schema)
	if err != nil {
		return fmt.Errorf("read columns of %s: %w", schema, err)
	}
	for _, r := range rs {
		t := tables[r.str("table_name")]
		if t == nil {
			continue // a view's columns
		}
		c := Column{
			Name:              r.str("column_name"),
			Position:          int(r.int("ordinal_position")),
			Type:              r.str("column_type"),
			DataType:          strings.ToLower(r.str("data_type")),
			Nullable:          r.str("is_nullable") == "YES",
			Extra:             normalizeExtra(r.str("extra")),
			Charset:           r.str("character_set_name"),
			Collation:         r.str("collation_name"),
			CharMaxLength:     r.intPtr("character_maximum_length"),
			NumericPrecision:  r.intPtr("numeric_precision"),
			NumericScale:      r.intPtr("numeric_scale"),
			DatetimePrecision: r.intPtr("datetime_precision"),
			Comment:           r.str("column_comment"),
			Generated:         r.str("generation_expression"),
		}
		c.Default = normalizeDefault(r.ptr("column_default"), s.flavor, c.Generated != "")
		t.Columns = append(t.Columns, c)
	}
	return nil
}

// normalizeDefault makes COLUMN_DEFAULT comparable across flavors: MariaDB
// quotes string literals and reports DEFAULT NULL as the text NULL; MySQL
// does neither. CURRENT_TIMESTAMP is upper-cased without empty parentheses.
func normalizeDefault(v *string, flavor string, generated bool) *string {
	if v == nil || generated {
		return nil
	}
	d := *v
	if flavor == "mariadb" {
		switch {
		case d == "NULL":
			return nil
		case len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'':
			d = strings.ReplaceAll(d[1:len(d)-1], "''", "'")
			d = strings.ReplaceAll(d, `\\`, `\`)
			return &d
		}
	}
	low := strings.ToLower(d)
	if strings.HasPrefix(low, "current_timestamp") {
		rest := d[len("current_timestamp"):]
		if rest == "()" {
			rest = ""
		}
		d = "CURRENT_TIMESTAMP" + rest
	}
	return &d
}

// normalizeExtra drops MySQL's DEFAULT_GENERATED marker and spells
// "on update current_timestamp()" the same way on both flavors.
func normalizeExtra(e string) string {
	e = strings.TrimSpace(strings.ReplaceAll(e, "DEFAULT_GENERATED", ""))
	low := strings.ToLower(e)
	if i := strings.Index(low, "on update current_timestamp"); i >= 0 {
		rest := e[i+len("on update current_timestamp"):]
		rest = strings.TrimPrefix(rest, "()")
		e = strings.TrimSpace(e[:i] + "on update CURRENT_TIMESTAMP" + rest)
	}
	return e
}

func (s *session) captureIndexes(ctx context.Context, schema string, tables map[string]*Table) error {
	has, err := s.hasColumns(ctx, "information_schema", "STATISTICS")
	if err != nil {
		return fmt.Errorf("read index catalog: %w", err)
	}
	extra := ""
	for _, c := range []string{"EXPRESSION", "IS_VISIBLE", "IGNORED"} {
		if has[c] {
			extra += ", " + c
		}
	}
	rs, err := s.rows(ctx, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART,
		CARDINALITY, INDEX_TYPE, COLLATION`+extra+`
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, schema)
	if err != nil {
		return fmt.Errorf("read indexes of %s: %w", schema, err)
	}
	for _, r := range rs {
		t := tables[r.str("table_name")]
		if t == nil {
			continue
		}
		name := r.str("index_name")
		var ix *Index
		for i := range t.Indexes {
			if t.Indexes[i].Name == name {
				ix = &t.Indexes[i]
			}
		}
		if ix == nil {
			t.Indexes = append(t.Indexes, Index{Name: name, Primary: name == "PRIMARY", Unique: r.str("non_unique") == "0", Type: r.str("index_type")})
			ix = &t.Indexes[len(t.Indexes)-1]
			if v, ok := r["is_visible"]; ok && v.Valid {
				vis := v.String == "YES"
				ix.Visible = &vis
			} else if v, ok := r["ignored"]; ok && v.Valid {
				vis := v.String != "YES"
				ix.Visible = &vis
			}
		}
		ix.Columns = append(ix.Columns, IndexColumn{
			Name:        r.str("column_name"),
			Expression:  r.str("expression"),
			SubPart:     int(r.int("sub_part")),
			Descending:  r.str("collation") == "D",
			Cardinality: r.int("cardinality"),
		})
	}
	for _, t := range tables {
		sort.SliceStable(t.Indexes, func(i, j int) bool {
			if t.Indexes[i].Primary != t.Indexes[j].Primary {
				return t.Indexes[i].Primary
			}
			return t.Indexes[i].Name < t.Indexes[j].Name
		})
	}
	return nil
}

// captureForeignKeys reads KEY_COLUMN_USAGE and REFERENTIAL_CONSTRAINTS
// separately and joins them here: joining the two catalog views on the
// server costs seconds on a schema of a thousand tables.
func (s *session) captureForeignKeys(ctx context.Context, schema string, tables map[string]*Table) error {
	rules, err := s.rows(ctx, `SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
		FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, schema)
	if err != nil {
		return fmt.Errorf("read foreign keys of %s: %w", schema, err)
	}
	if len(rules) == 0 {
		return nil
	}
	type key struct{ table, name string }
	byKey := make(map[key]row, len(rules))
	for _, r := range rules {
		byKey[key{r.str("table_name"), r.str("constraint_name")}] = r
	}
	rs, err := s.rows(ctx, `SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
		REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
		FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
		ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`, schema)
	if err != nil {
		return fmt.Errorf("read foreign keys of %s: %w", schema, err)
	}
	for _, r := range rs {
		t := tables[r.str("table_name")]
		rule, ok := byKey[key{r.str("table_name"), r.str("constraint_name")}]
		if t == nil || !ok {
			continue
		}
		name := r.str("constraint_name")
		n := len(t.ForeignKeys)
		if n == 0 || t.ForeignKeys[n-1].Name != name {
			t.ForeignKeys = append(t.ForeignKeys, ForeignKey{Name: name, RefSchema: r.str("referenced_table_schema"),
				RefTable: r.str("referenced_table_name"), OnUpdate: rule.str("update_rule"), OnDelete: rule.str("delete_rule")})
			n++
		}
		fk := &t.ForeignKeys[n-1]
		fk.Columns = append(fk.Columns, r.str("column_name"))
		fk.RefColumns = append(fk.RefColumns, r.str("referenced_column_name"))
	}
	return nil
}

func (s *session) captureChecks(ctx context.Context, schema string, tables map[string]*Table) error {
	has, err := s.hasColumns(ctx, "information_schema", "CHECK_CONSTRAINTS")
	if err != nil || len(has) == 0 {
		return err // no CHECK_CONSTRAINTS on this server (MySQL < 8.0.16)
	}
	var q string
	if has["TABLE_NAME"] { // MariaDB
		q = `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
			WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME`
	} else {
		q = `SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS c
			JOIN information_schema.TABLE_CONSTRAINTS t ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA
			  AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'
			WHERE c.CONSTRAINT_SCHEMA = ? ORDER BY t.TABLE_NAME, c.CONSTRAINT_NAME`
	}
	rs, err := s.rows(ctx, q, schema)
	if err != nil {
		return fmt.Errorf("read check constraints of %s: %w", schema, err)
	}
	for _, r := range rs {
		if t := tables[r.str("table_name")]; t != nil {
			t.Checks = append(t.Checks, Check{Name: r.str("constraint_name"), Clause: r.str("check_clause")})
		}
	}
	return nil
}

func (s *session) capturePartitions(ctx context.Context, schema string, tables map[string]*Table) error {
	any := false
	for _, t := range tables {
		any = any || t.Partitioning != ""
	}
	if !any {
		return nil
	}
	rs, err := s.rows(ctx, `SELECT TABLE_NAME, PARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION,
		PARTITION_DESCRIPTION, TABLE_ROWS FROM information_schema.PARTITIONS
		WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION`, schema)
	if err != nil {
		return fmt.Errorf("read partitions of %s: %w", schema, err)
	}
	for _, r := range rs {
		if t := tables[r.str("table_name")]; t != nil {
			t.Partitions = append(t.Partitions, Partition{Name: r.str("partition_name"), Method: r.str("partition_method"),
				Expression: r.str("partition_expression"), Description: r.str("partition_description"), Rows: r.int("table_rows")})
		}
	}
	return nil
}
