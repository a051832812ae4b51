package snapshot

import (
	"strings"
	"time"

	"github.com/rehearse/rehearse/snapshot/history"
)

// FormatV1 is the format marker of the snapshot documents this build writes.
const FormatV1 = "rehearse.snapshot/v1"

// Snapshot is a picture of a server: identity, DDL-relevant settings, the
// schema of the selected databases, their statistics, the migration history
// and optionally the workload's statement digests. It never holds a row of
// user data and never a password.
type Snapshot struct {
	Format    string            `json:"format"`
	CreatedAt time.Time         `json:"created_at"`
	Tool      string            `json:"tool,omitempty"` // "rehearse <version>"
	Source    Source            `json:"source"`
	Settings  map[string]string `json:"settings"`
	Schemas   []Schema          `json:"schemas"`
	History   []History         `json:"history,omitempty"`
	Digests   []Digest          `json:"digests,omitempty"`
	// Literals: production's counts for the literals a pending release's
	// DML compares columns to (snapshot --migrations); absent otherwise.
	Literals []LiteralStats `json:"literals,omitempty"`
}

// Source identifies the server a snapshot was taken from.
type Source struct {
	Flavor         string `json:"flavor"`  // "mysql" | "mariadb"
	Version        string `json:"version"` // exact, e.g. "10.11.19"
	VersionComment string `json:"version_comment,omitempty"`
	// ServerUUID is @@server_uuid (MySQL) or engine.ServerUUID's stand-in on
	// MariaDB. A rehearsal refuses a target with the same identity.
	ServerUUID string `json:"server_uuid"`
	Host       string `json:"host,omitempty"`   // redacted (e.g. "db-***:3306")
	Origin     string `json:"origin,omitempty"` // "server" or "dump:FILE"
	// Identity is the source's server id, host name, port, data folder and
	// replication topology, for the production guard (absent in snapshots
	// of earlier versions).
	Identity *Identity `json:"identity,omitempty"`
}

// Schema is one database.
type Schema struct {
	Name      string    `json:"name"`
	Charset   string    `json:"charset,omitempty"`
	Collation string    `json:"collation,omitempty"`
	Tables    []Table   `json:"tables"`
	Views     []View    `json:"views,omitempty"`
	Triggers  []Trigger `json:"triggers,omitempty"`
	Routines  []Routine `json:"routines,omitempty"`
	Events    []Event   `json:"events,omitempty"`
}

// Table is a base table: its CREATE TABLE text (the source of truth for
// restore) and a parsed picture of it (for analysis and data generation).
type Table struct {
	Name         string       `json:"name"`
	CreateSQL    string       `json:"create_sql"`
	Engine       string       `json:"engine,omitempty"`
	RowFormat    string       `json:"row_format,omitempty"`
	Collation    string       `json:"collation,omitempty"`
	Comment      string       `json:"comment,omitempty"`
	Columns      []Column     `json:"columns"`
	Indexes      []Index      `json:"indexes,omitempty"`
	ForeignKeys  []ForeignKey `json:"foreign_keys,omitempty"`
	Checks       []Check      `json:"checks,omitempty"`
	Partitioning string       `json:"partitioning,omitempty"` // PARTITION BY clause, "" when not partitioned
	Partitions   []Partition  `json:"partitions,omitempty"`
	Stats        TableStats   `json:"stats"`
}

// Column is one column as information_schema.COLUMNS describes it.
type Column struct {
	Name     string `json:"name"`
	Position int    `json:"position"`
	// Type is COLUMN_TYPE, complete: "int unsigned", "varchar(255)",
	// "enum('a','b')", "decimal(14,2)", "datetime(6)".
	Type string `json:"type"`
	// DataType is DATA_TYPE: "int", "varchar", "enum", ...
	DataType string `json:"data_type"`
	Nullable bool   `json:"nullable"`
	// Default is COLUMN_DEFAULT normalised across flavors: nil = no default
	// or DEFAULT NULL; string literals unquoted ("abc", not "'abc'");
	// expressions as the server prints them, CURRENT_TIMESTAMP upper-case.
	Default           *string      `json:"default,omitempty"`
	Extra             string       `json:"extra,omitempty"` // auto_increment, on update ..., VIRTUAL GENERATED, ...
	Charset           string       `json:"charset,omitempty"`
	Collation         string       `json:"collation,omitempty"`
	Generated         string       `json:"generated,omitempty"` // generation expression, "" for ordinary columns
	CharMaxLength     *int64       `json:"char_max_length,omitempty"`
	NumericPrecision  *int64       `json:"numeric_precision,omitempty"`
	NumericScale      *int64       `json:"numeric_scale,omitempty"`
	DatetimePrecision *int64       `json:"datetime_precision,omitempty"`
	Comment           string       `json:"comment,omitempty"`
	Stats             *ColumnStats `json:"stats,omitempty"` // with --column-stats
}

// Index is one index (PRIMARY included).
type Index struct {
	Name    string        `json:"name"`
	Primary bool          `json:"primary,omitempty"`
	Unique  bool          `json:"unique,omitempty"`
	Type    string        `json:"type,omitempty"` // BTREE, FULLTEXT, SPATIAL, HASH
	Columns []IndexColumn `json:"columns"`
	Visible *bool         `json:"visible,omitempty"`
}

// IndexColumn is one part of an index.
type IndexColumn struct {
	Name        string `json:"name,omitempty"`
	Expression  string `json:"expression,omitempty"` // functional key part
	SubPart     int    `json:"sub_part,omitempty"`   // prefix length
	Descending  bool   `json:"descending,omitempty"`
	Cardinality int64  `json:"cardinality,omitempty"` // SHOW INDEX estimate for the prefix up to this column
}

// ForeignKey is one foreign-key constraint.
type ForeignKey struct {
	Name       string   `json:"name"`
	Columns    []string `json:"columns"`
	RefSchema  string   `json:"ref_schema"`
	RefTable   string   `json:"ref_table"`
	RefColumns []string `json:"ref_columns"`
	OnUpdate   string   `json:"on_update,omitempty"`
	OnDelete   string   `json:"on_delete,omitempty"`
}

// Check is a CHECK constraint.
type Check struct {
	Name   string `json:"name"`
	Clause string `json:"clause"`
}

// Partition is one partition of a partitioned table.
type Partition struct {
	Name        string `json:"name"`
	Method      string `json:"method,omitempty"`
	Expression  string `json:"expression,omitempty"`
	Description string `json:"description,omitempty"`
	Rows        int64  `json:"rows,omitempty"`
}

// TableStats come from the catalog (never from scanning rows), except
// ExactRows with --exact-counts.
type TableStats struct {
	Rows          int64   `json:"rows"`                 // TABLE_ROWS estimate
	ExactRows     *int64  `json:"exact_rows,omitempty"` // COUNT(*) with --exact-counts
	DataBytes     int64   `json:"data_bytes"`
	IndexBytes    int64   `json:"index_bytes"`
	AvgRowLength  int64   `json:"avg_row_length"`
	AutoIncrement *uint64 `json:"auto_increment,omitempty"`
}

// RowCount is the best row count known: exact when captured, else the estimate.
func (s TableStats) RowCount() int64 {
	if s.ExactRows != nil {
		return *s.ExactRows
	}
	return s.Rows
}

// ColumnStats are aggregates over a bounded sample. They never hold a value
// that could be personal data: min/max only for numbers and temporal types.
type ColumnStats struct {
	SampleRows   int64   `json:"sample_rows"`
	NullFraction float64 `json:"null_fraction"`
	Distinct     int64   `json:"distinct"` // estimate for the whole table
	// SampleDistinct is COUNT(DISTINCT) over the sample's non-null values,
	// compared with the column's collation: exact for those rows (fewer
	// than the sample's non-null rows proves duplicates in the table).
	// nil for TEXT, BLOB and JSON columns and in older snapshots.
	SampleDistinct *int64 `json:"sample_distinct,omitempty"`
	// NotIn counts, per narrower character set (ascii, latin1, utf8mb3),
	// the sampled non-null values holding a character that set lacks
	// (the value does not survive a conversion there and back): only
	// counts leave the server. Absent for binary strings, JSON and other
	// character sets, and in older snapshots.
	NotIn  map[string]int64 `json:"not_in,omitempty"`
	Min    *string          `json:"min,omitempty"`
	Max    *string          `json:"max,omitempty"`
	Length *LengthStats     `json:"length,omitempty"` // strings and binaries, in characters (bytes for binaries)
}

// LengthStats describe a string column's length distribution.
type LengthStats struct {
	Min int64   `json:"min"`
	Max int64   `json:"max"`
	Avg float64 `json:"avg"`
	P50 int64   `json:"p50"`
	P90 int64   `json:"p90"`
	P99 int64   `json:"p99"`
}

// View is a view; CreateSQL is SHOW CREATE VIEW's text.
type View struct {
	Name      string `json:"name"`
	CreateSQL string `json:"create_sql"`
}

// Trigger is a trigger; CreateSQL is SHOW CREATE TRIGGER's text.
type Trigger struct {
	Name      string `json:"name"`
	Table     string `json:"table"`
	Timing    string `json:"timing"` // BEFORE / AFTER
	Event     string `json:"event"`  // INSERT / UPDATE / DELETE
	CreateSQL string `json:"create_sql"`
	SQLMode   string `json:"sql_mode,omitempty"`
}

// Routine is a stored procedure or function.
type Routine struct {
	Name      string `json:"name"`
	Type      string `json:"type"` // PROCEDURE / FUNCTION
	CreateSQL string `json:"create_sql"`
	SQLMode   string `json:"sql_mode,omitempty"`
}

// Event is a scheduled event.
type Event struct {
	Name      string `json:"name"`
	CreateSQL string `json:"create_sql"`
	SQLMode   string `json:"sql_mode,omitempty"`
}

// History is one migration runner's history table.
type History struct {
	Runner  string         `json:"runner"` // "golang-migrate", "goose", "flyway", ...
	Schema  string         `json:"schema"`
	Table   string         `json:"table"`
	Entries []HistoryEntry `json:"entries"`
	// CreateSQL recreates the history table on restore.
	CreateSQL string `json:"create_sql,omitempty"`
	// Rows are the history table's rows as column->value, for an exact
	// restore. History tables hold migration bookkeeping only.
	Rows []map[string]*string `json:"rows,omitempty"`
}

// HistoryEntry is one applied (or failed) migration. It is defined by the
// history-reader registry (package snapshot/history) so readers and documents
// share one type.
type HistoryEntry = history.Entry

// Digest is one statement digest of the workload.
type Digest struct {
	Schema        string  `json:"schema"`
	Digest        string  `json:"digest"`
	Text          string  `json:"text"` // normalized: literals replaced by '?'
	Count         int64   `json:"count"`
	SumLatencySec float64 `json:"sum_latency_sec"`
	AvgLatencySec float64 `json:"avg_latency_sec"`
	MaxLatencySec float64 `json:"max_latency_sec"`
	RowsExamined  int64   `json:"rows_examined"`
	RowsAffected  int64   `json:"rows_affected"`
	RowsSent      int64   `json:"rows_sent"`
	FirstSeen     string  `json:"first_seen,omitempty"`
	LastSeen      string  `json:"last_seen,omitempty"`
}

// Column returns the named column (compared case-insensitively, as the
// servers do), or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return &t.Columns[i]
		}
	}
	return nil
}

// Table returns the named table of the named schema, or nil.
func (s *Snapshot) Table(schema, table string) *Table {
	for i := range s.Schemas {
		if s.Schemas[i].Name != schema {
			continue
		}
		for j := range s.Schemas[i].Tables {
			if s.Schemas[i].Tables[j].Name == table {
				return &s.Schemas[i].Tables[j]
			}
		}
	}
	return nil
}
