package plan

import (
	"time"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
)

// FormatV1 marks the plan documents this build writes.
const FormatV1 = "rehearse.plan/v1"

// Plan is the result of `rehearse plan`: a JSON document (FormatV1).
type Plan struct {
	Format      string               `json:"format"`
	CreatedAt   time.Time            `json:"created_at"`
	Tool        string               `json:"tool,omitempty"`
	Snapshot    SnapshotRef          `json:"snapshot"`
	Migrations  MigrationsRef        `json:"migrations"`
	History     *HistoryRef          `json:"history,omitempty"` // nil: the snapshot holds no history for this runner
	Pending     []PendingMigration   `json:"pending"`
	Findings    []Finding            `json:"findings"`
	Problems    []migrations.Problem `json:"problems,omitempty"` // warnings from reading the folder
	Sandbox     *SandboxInfo         `json:"sandbox,omitempty"`  // nil when verification was off
	Calibration *Calibration         `json:"calibration,omitempty"`
	Summary     Summary              `json:"summary"`
}

// SnapshotRef says which snapshot the plan is against.
type SnapshotRef struct {
	File      string    `json:"file,omitempty"`
	Flavor    string    `json:"flavor"`
	Version   string    `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	Schema    string    `json:"schema"` // the database the migrations apply to
}

// MigrationsRef says which folder was read and how.
type MigrationsRef struct {
	Dir      string `json:"dir"`
	Format   string `json:"format"`
	Detected string `json:"detected,omitempty"`
	Total    int    `json:"total"`
}

// HistoryRef is the history table the pending set was computed against.
type HistoryRef struct {
	Runner  string `json:"runner"`
	Schema  string `json:"schema"`
	Table   string `json:"table"`
	Applied int    `json:"applied"`
	Newest  string `json:"newest,omitempty"`
}

// PendingMigration is one migration the release will run, in order.
type PendingMigration struct {
	Key           string          `json:"key"`
	Version       string          `json:"version"`
	Name          string          `json:"name,omitempty"`
	File          string          `json:"file"`
	NoTransaction bool            `json:"no_transaction,omitempty"`
	Statements    []StatementPlan `json:"statements"`
	Down          *DownInfo       `json:"down,omitempty"` // nil: no down migration
}

// DownInfo summarises the down migration.
type DownInfo struct {
	File       string `json:"file"`
	Line       int    `json:"line"`
	Statements int    `json:"statements"`
	// Ops are the down's operations (also those in PREPARE strings), for
	// the check that it inverts the up.
	Ops []Op `json:"ops,omitempty"`
}

// StatementPlan is what one statement will do.
type StatementPlan struct {
	File string `json:"file"`
	Line int    `json:"line"`
	SQL  string `json:"sql"` // the statement text (long texts cut, marked with …)
	// Kind: "ddl", "dml", "routine", "session" (SET, PREPARE, EXECUTE,
	// DEALLOCATE, CALL ...), "other".
	Kind string `json:"kind"`
	// Analysed is false when the parser could not read the statement; it
	// still runs. NotAnalysed says why.
	Analysed    bool   `json:"analysed"`
	NotAnalysed string `json:"not_analysed,omitempty"`
	// Via is "prepare" for DDL found in a PREPARE'd string, "routine" for
	// DDL inside a stored routine body ("" for the statement itself).
	Via   string    `json:"via,omitempty"`
	Ops   []Op      `json:"ops,omitempty"`
	Table *TableRef `json:"table,omitempty"`
	// Predicted is our rule table's answer for the snapshot's flavor and
	// version; Verified is the server's (nil when not verified).
	Predicted *Algo           `json:"predicted,omitempty"`
	Verified  *Verified       `json:"verified,omitempty"`
	Estimate  *Estimate       `json:"estimate,omitempty"`
	Replay    *Replay         `json:"replay,omitempty"`
	Inner     []StatementPlan `json:"inner,omitempty"` // DDL inside routine bodies; the possible texts of a dynamic EXECUTE
	// Executes is, for an EXECUTE, the statement it runs (a PREPARE'd
	// literal, or a user variable a SET of the migration fills from
	// literals, as Mattermost's guarded DDL does): the EXECUTE is then
	// classified, predicted and verified as that statement. DynamicSQL
	// when the text is only known when it runs; Dynamic says why.
	Executes string `json:"executes,omitempty"`
	Dynamic  string `json:"dynamic,omitempty"`
}

// Op is one operation of a statement (one per ALTER specification).
type Op struct {
	Class  string `json:"class"`            // OpAddColumn, ...
	Object string `json:"object,omitempty"` // column, index or table name
	Detail string `json:"detail,omitempty"` // e.g. "varchar(26) -> text"
	// Indexed: the column changed is part of an index (some servers then
	// rebuild where they would not otherwise).
	Indexed bool `json:"indexed,omitempty"`
	// Key is the key an index, unique or primary-key operation adds, part
	// by part (omitted for other operations).
	Key []KeyPart `json:"key,omitempty"`
	// Narrowing: the change can lose or reject values the new definition
	// cannot hold (a shorter string, a smaller range, fewer digits, a
	// character set that lacks characters, removed members), with what
	// the snapshot's statistics show; nil for widenings.
	Narrowing *Narrowing `json:"narrowing,omitempty"`
	// Ref is what a foreign key an ADD FOREIGN KEY adds refers to (rules
	// judge it against the statistics; not in the plan's JSON).
	Ref *ForeignRef `json:"-"`
	// Bound is the CHECK an ADD CHECK adds, when it is `column OP number`
	// (rules judge it against the statistics; not in the plan's JSON).
	Bound *Bound `json:"-"`

	// oldBytes and newBytes are a VARCHAR's maximum length in bytes before
	// and after an extension (the length prefix is what decides).
	oldBytes, newBytes int64
	// inPrimary and inFulltext: the column whose collation changes is part
	// of the primary key, of a FULLTEXT index (OpChangeCollationIndexed).
	inPrimary, inFulltext bool
}

// ForeignRef is a foreign key: its columns and the ones it refers to.
type ForeignRef struct {
	Columns    []string
	Schema     string // "" when the statement names none: the table's own
	Table      string
	RefColumns []string
}

// Bound is a CHECK constraint of the form `Column Op Value` (Op one of
// < <= > >=, Value a number as written).
type Bound struct {
	Column, Op, Value string
}

// KeyPart is one part of an index key: a column (with a prefix length
// when only the first Prefix characters or bytes are indexed) or an
// expression (functional key part, as written).
type KeyPart struct {
	Column string `json:"column,omitempty"`
	Prefix int    `json:"prefix,omitempty"`
	Expr   string `json:"expr,omitempty"`
}

// TableRef is the table a statement works on, with the snapshot's size.
type TableRef struct {
	Schema     string `json:"schema,omitempty"`
	Name       string `json:"name"`
	Rows       int64  `json:"rows"`
	DataBytes  int64  `json:"data_bytes"`
	IndexBytes int64  `json:"index_bytes"`
	// New: created by this release (empty when the statement runs).
	New bool `json:"new,omitempty"`
	// Missing: neither in the snapshot nor created earlier in the release.
	Missing bool `json:"missing,omitempty"`
}

// Algorithm names.
const (
	Instant = "INSTANT"
	NoCopy  = "NOCOPY"
	InPlace = "INPLACE"
	Copy    = "COPY"
)

// Lock names.
const (
	LockNone      = "NONE"
	LockShared    = "SHARED"
	LockExclusive = "EXCLUSIVE"
)

// Algo is an algorithm with its lock level.
type Algo struct {
	Algorithm string `json:"algorithm"`
	Lock      string `json:"lock"`
	Rebuild   bool   `json:"rebuild"`
	Reason    string `json:"reason,omitempty"` // which rule decided
}

// Verified is what the server accepted.
type Verified struct {
	Algorithm string    `json:"algorithm,omitempty"`
	Lock      string    `json:"lock,omitempty"`
	Agrees    bool      `json:"agrees"` // same algorithm and lock as predicted
	Attempts  []Attempt `json:"attempts"`
	Note      string    `json:"note,omitempty"`
}

// Attempt is one probe of the ladder.
type Attempt struct {
	Clause   string `json:"clause"` // "ALGORITHM=INPLACE, LOCK=NONE"
	Accepted bool   `json:"accepted"`
	Error    int    `json:"error,omitempty"` // MySQL error number of a rejection
	Message  string `json:"message,omitempty"`
}

// Estimate is an expected duration and how it was reached.
type Estimate struct {
	Seconds float64 `json:"seconds"` // -1: unknown (no calibration)
	Basis   string  `json:"basis"`
}

// Replay is how the statement fared on the schema-only sandbox.
type Replay struct {
	OK      bool   `json:"ok"`
	Error   int    `json:"error,omitempty"` // MySQL error number
	Message string `json:"message,omitempty"`
	// Class is the error's meaning: "already-applied", "missing-object",
	// "failed"; "skipped" after an earlier failure of the same migration.
	Class string `json:"class,omitempty"`
}

// Severity of a finding (the registry's, rehearse/codes).
type Severity = codes.Severity

const (
	SevError   = codes.Error
	SevWarning = codes.Warning
	SevInfo    = codes.Info
)

// Finding is one thing the plan found, with a stable code (RHnnn).
type Finding struct {
	Code           string   `json:"code"`
	Severity       Severity `json:"severity"`
	Title          string   `json:"title"`
	Message        string   `json:"message"`
	Recommendation string   `json:"recommendation,omitempty"`
	Migration      string   `json:"migration,omitempty"` // key
	File           string   `json:"file,omitempty"`
	Line           int      `json:"line,omitempty"`
	Docs           string   `json:"docs"` // docs/rules/RHnnn.md
	// Statements lists every place the finding applies to when the same
	// code (and severity) was found at several statements of the release:
	// one finding instead of many (Migration, File and Line are the
	// first's). Empty for a finding of one place.
	Statements []Place `json:"statements,omitempty"`
}

// Place is one statement (or migration) a grouped finding applies to.
type Place struct {
	Migration string `json:"migration,omitempty"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	// Message is this place's own message when it differs from the
	// finding's (omitted when the same).
	Message string `json:"message,omitempty"`
}

// Places are where the finding applies: Statements, or its one place.
func (f Finding) Places() []Place {
	if len(f.Statements) > 0 {
		return f.Statements
	}
	return []Place{{Migration: f.Migration, File: f.File, Line: f.Line}}
}

// SandboxInfo describes the schema-only sandbox the plan was verified on.
type SandboxInfo struct {
	Engine   string  `json:"engine"`
	Flavor   string  `json:"flavor"`
	Version  string  `json:"version"`
	Seconds  float64 `json:"seconds"` // start + restore + replay (+ calibration)
	Replayed int     `json:"replayed"`
	Failed   int     `json:"failed"`
	// Where the time went: starting the server, restoring the snapshot's
	// schema, replaying the pending statements (ladder probes included).
	StartSeconds   float64 `json:"start_seconds,omitempty"`
	RestoreSeconds float64 `json:"restore_seconds,omitempty"`
	ReplaySeconds  float64 `json:"replay_seconds,omitempty"`
	// Memory: the sandbox's files were on a memory file system
	// (engine.Options.Memory honoured), so DDL did not wait for disk syncs.
	Memory bool `json:"memory,omitempty"`
	// VersionDrift says how the sandbox's version differs from
	// production's ("" when it is production's exact version).
	VersionDrift string `json:"version_drift,omitempty"`
}

// Summary counts what matters at a glance.
type Summary struct {
	Pending          int     `json:"pending"`
	Statements       int     `json:"statements"`
	NotAnalysed      int     `json:"not_analysed"`
	Rebuilds         int     `json:"rebuilds"`
	Blocking         int     `json:"blocking"` // statements that block writes (lock SHARED/EXCLUSIVE)
	Verified         int     `json:"verified"`
	Disagreements    int     `json:"disagreements"`
	Errors           int     `json:"errors"`
	Warnings         int     `json:"warnings"`
	EstimatedSeconds float64 `json:"estimated_seconds"`
}
