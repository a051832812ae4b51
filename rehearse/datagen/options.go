package datagen

import (
	"time"
)

// Options say what to generate. The zero value fills every table of the
// snapshot at scale 1 with seed 0, two streams at a time.
type Options struct {
	// Scale multiplies every table's row count from the snapshot (0 means 1).
	Scale float64
	// Rows overrides row counts per table ("table" or "schema.table"),
	// before Scale is considered (an override is taken as is).
	Rows map[string]int64
	// Tables limits generation to these tables ("table" or "schema.table");
	// empty means every table. Foreign keys to tables outside the set
	// reference the rows those tables already hold on the server.
	Tables []string
	// Seed makes the data: the same snapshot, options and seed give
	// identical rows.
	Seed uint64
	// Parallel is the number of tables loaded at once (0 means 2).
	Parallel int
	// Schemas maps a snapshot schema name to the server database that holds
	// it ("" or absent: the same name).
	Schemas map[string]string
	// Truncate empties target tables that already hold rows instead of
	// refusing to run.
	Truncate bool
	// Insert forces the multi-row INSERT path even when the server accepts
	// LOAD DATA LOCAL INFILE (for measurement and tests).
	Insert bool
	// IndexStrategy says how secondary indexes are built: IndexAuto (the
	// measured default), IndexKeep (maintained during the load) or
	// IndexRebuild (dropped before the load and added back after it).
	IndexStrategy IndexStrategy
	// KeepTriggers leaves triggers in place during the load (they fire for
	// every generated row). By default triggers on the target tables are
	// dropped for the load and re-created exactly as they were, as a dump
	// restore does.
	KeepTriggers bool
	// Progress, when set, is called from one goroutine about every
	// ProgressEvery and once at the end, with a consistent copy.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// IndexStrategy is how secondary indexes are built during generation.
type IndexStrategy string

const (
	IndexAuto    IndexStrategy = ""
	IndexKeep    IndexStrategy = "keep"
	IndexRebuild IndexStrategy = "rebuild"
)

// Progress is a snapshot of a running generation.
type Progress struct {
	Tables  []TableProgress
	Rows    int64 // rows sent so far, all tables
	Total   int64 // rows planned, all tables
	Elapsed time.Duration
	Done    bool
}

// RowsPerSec is the overall rate so far.
func (p Progress) RowsPerSec() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
}

// ETA estimates the time left at the rate so far (0 when unknown).
func (p Progress) ETA() time.Duration {
	r := p.RowsPerSec()
	if r <= 0 || p.Total <= p.Rows {
		return 0
	}
	return time.Duration(float64(p.Total-p.Rows) / r * float64(time.Second))
}

// TableProgress is one table's part of Progress.
type TableProgress struct {
	Table   string // schema.table
	Rows    int64
	Total   int64
	State   string // "waiting", "loading", "indexing", "done", "failed"
	Elapsed time.Duration
}

// Result says what was generated.
type Result struct {
	Tables  []TableResult
	Rows    int64
	Elapsed time.Duration
	// Method is "load-data" or "insert" (local_infile refused).
	Method string
	// Notes are things a user should know: defaults used for missing
	// statistics, constraints that could not all be met, fallbacks taken.
	Notes []string
	// Model is the plan the rows were made from: RowSource continues each
	// table past its generated rows (nil when planning failed).
	Model *Model `json:"-"`
}

// RowsPerSec is the overall rate.
func (r Result) RowsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Rows) / r.Elapsed.Seconds()
}

// TableResult is one table's outcome.
type TableResult struct {
	Schema, Table string
	Requested     int64 // rows asked for (snapshot × scale, or override)
	Rows          int64 // rows the server holds after the load
	Elapsed       time.Duration
	IndexRebuild  bool // secondary indexes were added after the load
	Notes         []string
}
