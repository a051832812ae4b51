package result

import "time"

// ReproductionFormatV1 marks a reproduction document (rehearse reproduce).
const ReproductionFormatV1 = "rehearse.reproduction/v1"

// Reproduction is an incident's evidence next to its rehearsals: the
// incident as measured, the rehearsal of it, each proposed fix rehearsed
// on the same evidence, and whether the rehearsal reproduced the incident.
type Reproduction struct {
	Format     string    `json:"format"`
	Tool       string    `json:"tool"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Verdict: reproduced | not_reproduced | error.
	Verdict string `json:"verdict"`
	// Reason says in one sentence why (what held, or the first check that
	// did not).
	Reason    string          `json:"reason"`
	Tolerance string          `json:"tolerance"` // how close "about as long" is
	Evidence  EvidenceSummary `json:"evidence"`
	Incident  Incident        `json:"incident"`
	Checks    []ReproCheck    `json:"checks"`
	Runs      []ReproRun      `json:"runs"`
	Commands  []string        `json:"commands,omitempty"` // to re-run it
	Pending   []string        `json:"pending,omitempty"`  // fixes asked for that this build cannot rehearse
	Notes     []string        `json:"notes,omitempty"`
	Errors    []ErrorEntry    `json:"errors,omitempty"`
	Scenario  *SavedScenario  `json:"saved_scenario,omitempty"`
	Inputs    ReproInputs     `json:"inputs"`
}

// ReproInputs say what was read.
type ReproInputs struct {
	Snapshot   string  `json:"snapshot"`
	Migrations string  `json:"migrations"`
	Evidence   string  `json:"evidence"`
	Scale      float64 `json:"scale"`
	LoadRate   float64 `json:"load_rate"`
	LoadSource string  `json:"load_source"` // why that rate and mix
}

// EvidenceSummary is what the evidence folder held and what could not be
// read.
type EvidenceSummary struct {
	Dir      string         `json:"dir"`
	Files    []EvidenceFile `json:"files"`
	Problems []string       `json:"problems,omitempty"` // "file:line: message", one per line not read as it stands
	Zone     string         `json:"zone"`               // the zone times without an offset were read in, and why
	Captures int            `json:"captures"`           // processlist samples
	Window   [2]time.Time   `json:"window,omitempty"`   // first and last dated capture
}

// EvidenceFile is one file of the evidence.
type EvidenceFile struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // processlist, innodb-status, digests, deploy-log, unknown, ignored
	Form  string `json:"form,omitempty"`
	Items int    `json:"items"`
}

// Incident is what the evidence says happened. Times are seconds from the
// DDL's start (T0).
type Incident struct {
	T0       time.Time         `json:"t0,omitempty"`
	DDL      *IncidentDDL      `json:"ddl,omitempty"`
	Blockers []IncidentBlocker `json:"blockers,omitempty"`
	Writers  IncidentQueue     `json:"writers"`
	// Migrations are the deploy's, from its log.
	Migrations []IncidentMigration `json:"migrations,omitempty"`
	Timeline   []IncidentEvent     `json:"timeline,omitempty"`
}

// IncidentDDL is the statement that waited for its metadata lock.
type IncidentDDL struct {
	Session   int64  `json:"session"`
	SQL       string `json:"sql"`
	Table     string `json:"table"`
	Migration string `json:"migration,omitempty"` // matched to the release's statement
	Statement int    `json:"statement,omitempty"`
	MatchedBy string `json:"matched_by,omitempty"` // how it was matched (its text, the deploy log)
	// WaitS is the best estimate of its wait, WaitLoS..WaitHiS the range
	// the evidence allows; Open: it was still waiting at the last capture
	// and nothing says when it stopped (WaitS is then a lower bound).
	WaitS   float64 `json:"wait_s"`
	WaitLoS float64 `json:"wait_lo_s"`
	WaitHiS float64 `json:"wait_hi_s"`
	Open    bool    `json:"open,omitempty"`
	Outcome string  `json:"outcome"` // what happened after the wait, if known
	How     string  `json:"how"`     // how the figures were read
}

// IncidentBlocker is a session that held the DDL's table.
type IncidentBlocker struct {
	Session    int64    `json:"session"`
	Statement  string   `json:"statement,omitempty"` // "" = idle in its transaction
	Tables     []string `json:"tables"`
	TablesFrom string   `json:"tables_from"` // statement | innodb-locks | inferred: ...
	StartS     float64  `json:"start_s"`     // when its transaction (or statement) began, from T0 (negative: before the DDL)
	EndS       float64  `json:"end_s"`
	EndKnown   bool     `json:"end_known"`
	RowLocks   int64    `json:"row_locks,omitempty"`
	Injection  string   `json:"injection,omitempty"` // how the rehearsal stands it in
	Note       string   `json:"note,omitempty"`
}

// IncidentQueue is the sessions that queued behind the DDL.
type IncidentQueue struct {
	Writers  int     `json:"writers"`   // distinct writer sessions seen waiting
	Readers  int     `json:"readers"`   // distinct reader sessions seen waiting
	Peak     int     `json:"peak"`      // most waiting at once (writers and readers)
	LongestS float64 `json:"longest_s"` // the longest wait a capture showed (a lower bound)
}

// IncidentMigration is one migration of the deploy's log.
type IncidentMigration struct {
	Version   string  `json:"version"`
	Name      string  `json:"name,omitempty"`
	StartS    float64 `json:"start_s,omitempty"`
	EndS      float64 `json:"end_s,omitempty"`
	DurationS float64 `json:"duration_s,omitempty"`
	Status    string  `json:"status"` // applied | failed | started
	Error     string  `json:"error,omitempty"`
	Source    string  `json:"source"` // file:line
}

// IncidentEvent is one moment of the incident's timeline.
type IncidentEvent struct {
	T      float64 `json:"t"`
	What   string  `json:"what"`
	Source string  `json:"source"`
}

// ReproCheck is one comparison of the incident with its rehearsal.
type ReproCheck struct {
	Name      string `json:"name"`
	Incident  string `json:"incident"`
	Rehearsal string `json:"rehearsal"`
	Passed    bool   `json:"passed"`
	Why       string `json:"why,omitempty"` // when it did not hold
}

// ReproRun is one rehearsal of the evidence: the incident as it was, or
// with a fix.
type ReproRun struct {
	Name    string       `json:"name"`          // "incident", "fix lock-wait-timeout=5s"
	Fix     string       `json:"fix,omitempty"` // the --fix spec
	Changes []string     `json:"changes,omitempty"`
	Figures ReproFigures `json:"figures"`
	// Timeline is the rehearsal's story on the same clock as the
	// incident's (seconds from its DDL's start).
	Timeline []IncidentEvent `json:"timeline,omitempty"`
	Report   *Report         `json:"report"`
}

// ReproFigures are a run's figures for the incident's DDL.
type ReproFigures struct {
	Statement      string  `json:"statement"` // VERSION#N
	LockWaitS      float64 `json:"lock_wait_s"`
	DurationS      float64 `json:"duration_s"`
	ErrorCode      int     `json:"error_code,omitempty"`
	BlockedBy      string  `json:"blocked_by,omitempty"`
	WritersBlocked int     `json:"writers_blocked"`
	LongestStallS  float64 `json:"longest_stall_s"`
	DeepestQueue   int     `json:"deepest_queue"`
	Verdict        string  `json:"verdict"`
	Found          bool    `json:"found"` // the statement ran in this rehearsal
	// Strategy is how the statement was applied when not as written
	// (--fix strategy=NAME): Statement.Strategy; "" = native.
	Strategy string `json:"strategy,omitempty"`
	// CutOverStallS is the longest write stall in the tool's cut-over
	// (Statement.CutOverStallS).
	CutOverStallS float64 `json:"cut_over_stall_s,omitempty"`
}

// SavedScenario is where --save-scenario wrote the reproduction.
type SavedScenario struct {
	Name     string   `json:"name"`
	Dir      string   `json:"dir"`
	Variants []string `json:"variants"`
}
