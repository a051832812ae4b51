// Package result defines the rehearsal's result document,
// "rehearse.report/v1": everything a rehearsal measured, in one JSON value
// that the renderers in reports/ turn into tables, Markdown, JUnit, HTML and
// Prometheus text without computing anything themselves.
//
// The document is documented in docs/report-format.md. Fields are only ever
// added within v1; a renamed or removed field means v2.
package result

import "time"

// FormatV1 is the format marker this build writes.
const FormatV1 = "rehearse.report/v1"

// Verdict values.
const (
	Pass  = "pass"
	Fail  = "fail"
	Error = "error" // the rehearsal could not run to the end
)

// Report is one rehearsal.
type Report struct {
	Format     string      `json:"format"`
	Tool       string      `json:"tool"` // "rehearse <version>"
	StartedAt  time.Time   `json:"started_at"`
	FinishedAt time.Time   `json:"finished_at"`
	Verdict    string      `json:"verdict"` // pass | fail | error
	Reason     string      `json:"reason,omitempty"`
	Inputs     Inputs      `json:"inputs"`
	Phases     []Phase     `json:"phases"`
	Baseline   *Window     `json:"baseline,omitempty"` // the load before any migration
	Migrations []Migration `json:"migrations"`
	Rollback   *Rollback   `json:"rollback,omitempty"`
	AppCompat  *AppCompat  `json:"app_compat,omitempty"`
	Findings   []Finding   `json:"findings,omitempty"`
	Gates      []Gate      `json:"gates,omitempty"`
	// GateSettings list every gate the rehearsal applied or was told not
	// to, with its limit ("off") and whether it is a default one.
	GateSettings []GateSetting `json:"gate_settings,omitempty"`
	Injections   []Injection   `json:"injections,omitempty"`
	Timeline     []TimePoint   `json:"timeline,omitempty"`
	Capacity     *Capacity     `json:"capacity,omitempty"`
	// Replication is the replication topology rehearsed (rehearse run
	// --replicas, or the snapshot's replicas): what was reproduced and the
	// run's figures; nil when the primary was rehearsed alone.
	Replication *Replication `json:"replication,omitempty"`
	// Strategy is how the heavy statements were applied (rehearse run
	// --strategy, rehearse compare); nil when every statement ran as
	// written (the server's own ALTER).
	Strategy *StrategyRun `json:"strategy,omitempty"`
	Errors   []ErrorEntry `json:"errors,omitempty"` // errors of the rehearsal itself (not of the load)

	// Load lists the simulated application's statement shapes and what
	// each did over the whole rehearsal.
	Load []LoadOperation `json:"load,omitempty"`
}

// Inputs say what was rehearsed, on what.
type Inputs struct {
	Snapshot       string   `json:"snapshot"`        // path as given
	SnapshotDigest string   `json:"snapshot_digest"` // sha256 of the file
	Source         string   `json:"source"`          // "mariadb 10.11.19 (server_uuid ...)"
	Migrations     string   `json:"migrations"`      // folder as given
	MigrationIDs   []string `json:"migration_ids"`   // pending versions, in order
	Engine         string   `json:"engine"`
	Flavor         string   `json:"flavor"`
	Version        string   `json:"version"`
	Scale          float64  `json:"scale"`
	Rows           int64    `json:"rows"` // rows generated in all
	// TableRows are the rows each table held after generation
	// ("schema.table" as on the server), the x of capacity fits.
	TableRows   map[string]int64 `json:"table_rows,omitempty"`
	LoadRate    float64          `json:"load_rate"`            // target ops/s
	LoadProfile string           `json:"load_profile"`         // "digests", "default", or a file
	Settings    []string         `json:"settings,omitempty"`   // name=value applied to the sandbox
	Lockwait    float64          `json:"lock_wait_timeout_s"`  // applied to each migration statement
	KeepGoing   bool             `json:"keep_going,omitempty"` // --keep-going: migrations after a failed one were rehearsed too
	Seed        int64            `json:"seed"`
	// VersionDrift says how the server's version differs from
	// production's (Source), e.g. another patch version where no engine
	// here had production's exact one; "" when it is production's exact
	// version.
	VersionDrift string `json:"version_drift,omitempty"`

	// LoadSource says where the load's statements came from: "profile"
	// (a load profile file: LoadProfile names it, LoadProfileDigest is its
	// sha256), "digests" (the snapshot's workload digests; LoadProfile
	// says how many mapped) or "default" (the default mix).
	LoadSource        string `json:"load_source,omitempty"`
	LoadProfileDigest string `json:"load_profile_digest,omitempty"`        // "sha256:<hex>"
	LoadConns         int    `json:"load_connections_per_table,omitempty"` // connections of each table's lane
}

// LoadOperation is one statement shape of the simulated application and
// what it did from the baseline to the end of the rollback.
type LoadOperation struct {
	Kind   string  `json:"kind"`             // insert, update, delete, read
	Table  string  `json:"table"`            // schema.table on the sandbox
	SQL    string  `json:"sql"`              // with ? placeholders
	Digest string  `json:"digest,omitempty"` // the workload digest (or profile operation) it came from
	Weight float64 `json:"weight"`           // share of the load's rate, 0..1
	// Ops counts its operations, every outcome included; Errors counts the
	// failed and canceled ones by class.
	Ops    int64            `json:"ops"`
	Errors map[string]int64 `json:"errors,omitempty"`
}

// Phase is one timed step of the rehearsal.
type Phase struct {
	Name     string  `json:"name"` // plan, provision, restore, probe, generate, baseline, migrate, app-compat, rollback, roundtrip, verdict, report, teardown
	StartS   float64 `json:"start_s"`
	Duration float64 `json:"duration_s"`
	Status   string  `json:"status"` // ok | failed | skipped | cached | shared (rehearse compare: an earlier strategy's rehearsal did it)
	Detail   string  `json:"detail,omitempty"`
	// CacheKey is the data cache entry a cached phase came from (restore
	// and generate skipped: the sandbox started on a copy of the entry).
	CacheKey string `json:"cache_key,omitempty"`
}

// DataCacheKey is the data cache entry the rehearsal's data came from, ""
// when it restored and generated its own.
func (r *Report) DataCacheKey() string {
	for _, p := range r.Phases {
		if p.CacheKey != "" {
			return p.CacheKey
		}
	}
	return ""
}

// Window is the load's behaviour over an interval.
type Window struct {
	StartS     float64          `json:"start_s"` // seconds since the rehearsal started
	EndS       float64          `json:"end_s"`
	Ops        int64            `json:"ops"`
	Throughput float64          `json:"throughput"` // completed ops/s
	P50Ms      float64          `json:"p50_ms"`
	P99Ms      float64          `json:"p99_ms"`
	MaxMs      float64          `json:"max_ms"`
	Errors     map[string]int64 `json:"errors,omitempty"` // by class: lock_wait_timeout, deadlock, schema_mismatch, connection, other
}

// Migration is one migration of the release.
type Migration struct {
	Version    string      `json:"version"`
	Name       string      `json:"name"`
	File       string      `json:"file"`
	Status     string      `json:"status"` // applied | failed | skipped | not_run
	Statements []Statement `json:"statements"`
	DurationS  float64     `json:"duration_s"`
	// Partial is set when the migration failed after some statements
	// committed: what is now in the schema that was not before.
	Partial *Partial `json:"partial,omitempty"`
	// AfterFailure is set on a migration rehearsed (--keep-going) after an
	// earlier one failed: which, and on what state it ran.
	AfterFailure string `json:"after_failure,omitempty"`
}

// Statement is one statement of a migration and what it did.
type Statement struct {
	Index        int     `json:"index"` // 1-based within the migration
	Line         int     `json:"line"`
	SQL          string  `json:"sql"` // as run (trimmed); literals are the migration's own
	Operation    string  `json:"operation,omitempty"`
	Table        string  `json:"table,omitempty"`
	TableRows    int64   `json:"table_rows,omitempty"`
	StartS       float64 `json:"start_s"`
	DurationS    float64 `json:"duration_s"`
	Algorithm    string  `json:"algorithm,omitempty"`           // used: INSTANT, INPLACE, NOCOPY, COPY, "" when not DDL
	PredictedAlg string  `json:"predicted_algorithm,omitempty"` // from the plan's rule table
	// PredictedLock is the rule table's lock level (NONE, SHARED,
	// EXCLUSIVE) for PredictedAlg.
	PredictedLock string `json:"predicted_lock,omitempty"`
	// VerifiedAlg and VerifiedLock are the server's own answer: the first
	// ALGORITHM/LOCK it accepted for the statement on an empty copy of the
	// table, asked before data generation (INSTANT, then NOCOPY/INPLACE
	// with LOCK=NONE and LOCK=SHARED, then COPY). Empty when not asked or
	// not answered; VerifyNote then says why.
	VerifiedAlg  string `json:"verified_algorithm,omitempty"`
	VerifiedLock string `json:"verified_lock,omitempty"`
	VerifyNote   string `json:"verify_note,omitempty"`
	RowsAffected int64  `json:"rows_affected"`
	Error        string `json:"error,omitempty"`
	ErrorCode    int    `json:"error_code,omitempty"`
	// Status is ok | failed | not_run (statements after a failure in the
	// same migration). Empty means ok, or failed when Error is set.
	Status string `json:"status,omitempty"`

	// Locks.
	LockWaitS       float64 `json:"lock_wait_s"`          // the DDL's own wait for its metadata lock
	BlockedBy       string  `json:"blocked_by,omitempty"` // the session that made it wait (a tool's: what its writers queued behind, run.windowBlockedBy)
	WritersBlocked  int     `json:"writers_blocked"`      // distinct writer sessions that waited behind it
	LongestStallS   float64 `json:"longest_stall_s"`      // longest single writer wait caused by it
	BlockedSessionS float64 `json:"blocked_session_s"`    // sum of writer waits
	DeepestQueue    int     `json:"deepest_queue"`        // peak number of waiters at once
	During          *Window `json:"during,omitempty"`     // load while it ran
	P99Ratio        float64 `json:"p99_ratio,omitempty"`  // during.p99 / baseline.p99
	TempBytes       int64   `json:"temp_bytes,omitempty"` // peak extra disk while it ran
	// Resources (capacity issue): what the statement cost the server
	// besides time, sampled every ~100 ms while it ran.
	Resources *Resources `json:"resources,omitempty"`
	Rollback  string     `json:"rollback_verdict,omitempty"` // copied from the migration's rollback verdict for per-row renderers
	// Replicas are the statement's replication figures, one per replica
	// (rehearsals with replicas).
	Replicas []ReplicaFigures `json:"replicas,omitempty"`
	// Galera are the statement's figures on every node of a Galera
	// rehearsal: the node writers' longest write while it ran.
	Galera []GaleraNodeFigures `json:"galera,omitempty"`
	// ClusterStall is, in a Galera rehearsal, the longest write of any
	// node's writer while the statement held that node, and what it waited
	// for — the cluster's commit order or flow control, not a lock, so the
	// lock monitor (LongestStallS) does not see it. max-writer-stall and
	// max-stall-share judge the larger of the two.
	ClusterStall *ClusterStall `json:"cluster_stall,omitempty"`

	// Strategy is how the statement was applied when not as written:
	// "pt-osc", "online-copy" or "cmd" (StrategyRun); "" = native.
	Strategy string `json:"strategy,omitempty"`
	// Tool is the command line that applied it (credentials masked) and
	// ToolOutput the last lines of what it printed.
	Tool       string   `json:"tool,omitempty"`
	ToolOutput []string `json:"tool_output,omitempty"`
	// StrategyNotes say what the server's settings did to the tool (e.g.
	// pt-osc under MySQL 9's explain_format=TREE copies in one chunk).
	StrategyNotes []string `json:"strategy_notes,omitempty"`
	// CutOverStallS is the longest a write to the table waited because of
	// the cut-over: for pt-osc, the writes that began waiting between its
	// "Swapping tables" and "Swapped" lines (the RENAME's metadata lock);
	// for a cmd tool, in its last second; as written (native,
	// online-copy), the statement's longest writer stall, since the server
	// holds its lock to the end (a blocking copy: the whole copy).
	// CutOverS is when the window began.
	CutOverStallS float64 `json:"cut_over_stall_s,omitempty"`
	CutOverS      float64 `json:"cut_over_s,omitempty"`
	// BlockedShare is how much of the statement's run writers to the
	// table were held by a lock: the larger of the share of the run during
	// which writers queued for its metadata lock (every write to the table
	// waits then) and the share of the writer connections' time spent
	// waiting for any lock, metadata, row or table, on the table or a
	// tool's copy of it (a row lock holds some writes). 1: writes waited
	// throughout. BlockedShareOutsideCutOver leaves the cut-over window out
	// (the online tools' promise).
	BlockedShare               float64 `json:"blocked_share,omitempty"`
	BlockedShareOutsideCutOver float64 `json:"blocked_share_outside_cut_over,omitempty"`
}

// StrategyRun says how a rehearsal applied the release's heavy statements.
type StrategyRun struct {
	// Name is the strategy of the run (--strategy): native, pt-osc,
	// online-copy or cmd; Overrides are --strategy-for's VERSION#N=NAME.
	Name      string            `json:"name"`
	Overrides map[string]string `json:"overrides,omitempty"`
	// Command is --osc-cmd's template (cmd strategy).
	Command string `json:"command,omitempty"`
	// Applied lists the statements run with a strategy other than native
	// ("VERSION#N strategy"), and Why why each was chosen.
	Applied []string `json:"applied,omitempty"`
	// Checksums are CHECKSUM TABLE of the tables the heavy statements
	// change ("table" → checksum), taken after the data was in place and
	// before the load started: the same data for every strategy.
	Checksums map[string]string `json:"checksums,omitempty"`
	// SchemaDigest is a sha256 of every table's SHOW CREATE TABLE after the
	// release (AUTO_INCREMENT counters removed); TableDigests per table.
	SchemaDigest string            `json:"schema_digest,omitempty"`
	TableDigests map[string]string `json:"table_digests,omitempty"`
	// Tables are the changed tables' definitions after the release (those
	// in Checksums), to say how two strategies' results differ.
	Tables map[string]string `json:"tables,omitempty"`
	// Leftovers are tables or triggers the tool left behind after the
	// release (_t_new, _t_old, pt_osc_* triggers).
	Leftovers []string `json:"leftovers,omitempty"`
	// Shared says what this rehearsal took from an earlier strategy's in
	// the same comparison, and why it is the same (rehearse compare: the
	// probe's answers, the baseline, a server started meanwhile).
	Shared []string `json:"shared,omitempty"`
}

// MaxReplicaLag is the largest peak replica lag of the statement (0
// without replicas).
func (s Statement) MaxReplicaLag() float64 {
	m := 0.0
	for _, f := range s.Replicas {
		m = max(m, f.PeakLagS)
	}
	return m
}

// GaleraNodeFigures are one statement's figures on one Galera node: the
// node writer's inserts that overlapped the statement's run (one every
// 10 ms, on every node), the longest of them and when it started, the
// ones that took 100 ms or more, the ones that failed; and the node's
// flow control over the cluster window (from the statement's start until
// every node had applied it), deltas of the provider's counters sampled
// every 100 ms: how long replication was paused
// (wsrep_flow_control_paused_ns), the FC_PAUSE events the node sent and
// received (wsrep_flow_control_sent / _recv), the longest its receive
// queue got (wsrep_local_recv_queue, wsrep_local_recv_queue_max).
type GaleraNodeFigures struct {
	Node           string       `json:"node"`
	Writes         int          `json:"writes"`
	SlowWrites     int          `json:"slow_writes"`
	FailedWrites   int          `json:"failed_writes,omitempty"`
	LongestWriteMs float64      `json:"longest_write_ms"`
	LongestAtS     float64      `json:"longest_at_s,omitempty"`
	FlowControl    *FlowControl `json:"flow_control,omitempty"`
}

// ClusterStall is a statement's longest node-writer write on a Galera
// cluster (Statement.ClusterStall).
type ClusterStall struct {
	S    float64 `json:"s"`
	Node string  `json:"node"`
	// WaitedFor says what the node's commits waited for.
	WaitedFor string `json:"waited_for"`
}

// FlowControl is one Galera node's flow control over a statement's
// cluster window (GaleraNodeFigures).
type FlowControl struct {
	PausedMs     float64 `json:"paused_ms"`
	Sent         int64   `json:"sent"`
	Recv         int64   `json:"recv"`
	RecvQueueMax int64   `json:"recv_queue_max"`
	// WindowS is the cluster window's length the deltas are over.
	WindowS float64 `json:"window_s"`
}

// ReplicaFigures are one statement's figures on one replica.
type ReplicaFigures struct {
	Replica string `json:"replica"`
	// PeakLagS is the largest heartbeat lag sampled while the replica
	// worked its way to the statement; PeakAtS when (the report's clock).
	PeakLagS float64 `json:"peak_lag_s"`
	PeakAtS  float64 `json:"peak_at_s,omitempty"`
	// CaughtUpS is the time from the statement's end on the primary
	// until the replica had applied it; AppliedAtS when. NotApplied: the
	// replica had not applied it when the rehearsal ended.
	CaughtUpS  float64 `json:"caught_up_s"`
	AppliedAtS float64 `json:"applied_at_s,omitempty"`
	NotApplied bool    `json:"not_applied,omitempty"`
	// ApplyS is the replica applier's own time on the statement, from
	// ApplyStartS; ApplySource says how it was measured
	// (performance_schema, processlist, gtid_slave_pos; "" when shorter
	// than a sample).
	ApplyS      float64 `json:"apply_s"`
	ApplyStartS float64 `json:"apply_start_s,omitempty"`
	ApplySource string  `json:"apply_source,omitempty"`
	// WritesQueued: the writes the primary committed after the statement
	// waited on the replica until it was applied; QueuedWrites counts the
	// load's writes the primary completed in that time.
	WritesQueued bool  `json:"writes_queued"`
	QueuedWrites int64 `json:"queued_writes,omitempty"`
	// Reads and StaleReads are the reads sent to this replica while it
	// worked its way to the statement, and the stale ones.
	Reads      int64 `json:"reads,omitempty"`
	StaleReads int64 `json:"stale_reads,omitempty"`
	// PrimaryP99Ms is the primary's write p99 while this replica applied
	// the statement (with semi-sync: commit latency as the replica works).
	PrimaryP99Ms float64 `json:"primary_p99_during_apply_ms,omitempty"`
}

// Replication is the topology a rehearsal reproduced and its figures.
type Replication struct {
	Replicas int `json:"replicas"`
	// GaleraNodes is the size of the Galera cluster rehearsed (0: none)
	// and OSUMethod its wsrep_OSU_method; NodeWriteMs the node writers'
	// pause between inserts.
	GaleraNodes int     `json:"galera_nodes,omitempty"`
	OSUMethod   string  `json:"osu_method,omitempty"`
	NodeWriteMs float64 `json:"node_write_interval_ms,omitempty"`
	// Requested is what --replicas or the snapshot asked for; From says
	// which; Capped says why fewer were rehearsed (--max-replicas).
	Requested int    `json:"requested,omitempty"`
	From      string `json:"from,omitempty"`
	Capped    string `json:"capped,omitempty"`
	Mode      string `json:"mode,omitempty"`  // async | semi-sync
	Shape     string `json:"shape,omitempty"` // positioning, binlog format, parallel apply, ...
	// BinlogFormat is the primary's binlog_format as it ran.
	BinlogFormat string   `json:"binlog_format,omitempty"`
	Servers      []string `json:"servers,omitempty"` // each replica: name, server_id, engine, DSN without password
	// Provisioning: the filled sandbox's clean shutdown, the start of
	// every server on a copy of its datadir, the wiring.
	ProvisionS float64 `json:"provision_s,omitempty"`
	ShutdownS  float64 `json:"shutdown_s,omitempty"`
	StartS     float64 `json:"start_s,omitempty"`
	WireS      float64 `json:"wire_s,omitempty"`
	// SeedS is a Galera cluster's seed (one bootstrap and clean shutdown
	// that give the datadir the cluster's state).
	SeedS float64 `json:"seed_s,omitempty"`
	// HeartbeatMs is the heartbeat's interval.
	HeartbeatMs float64 `json:"heartbeat_interval_ms,omitempty"`
	// Replica reads (--replica-reads): the rate, the age from which a
	// missing row is stale, the reads sent, the stale ones, the reads not
	// sent for want of a row old enough.
	ReplicaReads float64 `json:"replica_reads_rate,omitempty"`
	StaleAfterMs float64 `json:"stale_after_ms,omitempty"`
	Reads        int64   `json:"reads,omitempty"`
	StaleReads   int64   `json:"stale_reads,omitempty"`
	ReadsSkipped int64   `json:"reads_skipped,omitempty"`
	// PeakLagS is the largest lag sampled over the whole rehearsal.
	PeakLagS float64 `json:"peak_lag_s"`
	// Behind lists the replicas that had not caught up when the
	// rehearsal ended.
	Behind []string `json:"behind,omitempty"`
	// SchemaDiffers are, per Galera node other than node-1, the objects
	// whose definition differed from node-1's after the release's ups,
	// read from each node once it had applied everything the cluster had
	// committed (under RSU every DDL ran on node-1 only).
	SchemaDiffers map[string][]string `json:"schema_differs,omitempty"`
	Notes         []string            `json:"notes,omitempty"`
	// Errors of the measurement (a heartbeat that failed, a replica that
	// stopped replicating).
	Errors []string `json:"errors,omitempty"`
}

// Resources is what one statement cost the server while it ran. Deltas
// are taken from just before the statement to just after it; peaks are the
// largest sampled value minus the value before. Every figure includes what
// the concurrent load did in the same window (the load is part of the
// rehearsal).
type Resources struct {
	// DiskSource says how disk was measured: "host-files" (the local
	// engine: the sizes of the files under the datadir and tmpdir and of
	// the files the server holds open, unlinked sort and log files
	// included) or "tablespaces" (INNODB_[SYS_]TABLESPACES file sizes,
	// which include the intermediate #sql- copy but not tmpdir files).
	DiskSource string `json:"disk_source"`
	DiskBefore int64  `json:"disk_before_bytes"`
	DiskPeak   int64  `json:"disk_peak_bytes"`  // extra disk at the peak (= Statement.TempBytes)
	DiskAfter  int64  `json:"disk_after_bytes"` // extra disk left when it ended (may be negative)
	// LogBytes is the redo log written while it ran (LSN delta).
	LogBytes int64 `json:"log_bytes"`
	// PagesRead are buffer-pool misses (Innodb_buffer_pool_reads delta):
	// pages read from disk because they were not in memory.
	PagesRead int64 `json:"pages_read"`
	// BufferPool is the server's innodb_buffer_pool_size.
	BufferPool int64 `json:"buffer_pool_bytes,omitempty"`
	// HistoryGrowth is the peak growth of the undo history (purge lag,
	// history list length) while it ran.
	HistoryGrowth int64 `json:"history_growth"`
	// OnlineLogBytes/OnlineLogRows: the peak online-DDL row log of a table
	// rebuild (MariaDB's Innodb_onlineddl_rowlog_* counters; 0 where the
	// server does not expose them, e.g. a secondary-index build).
	OnlineLogBytes int64 `json:"online_log_bytes,omitempty"`
	OnlineLogRows  int64 `json:"online_log_rows,omitempty"`
	// TableWrites counts the load's writes per table ("schema.table")
	// completed while it ran: the DML an online DDL must log.
	TableWrites map[string]WriteCounts `json:"table_writes,omitempty"`
	Samples     int                    `json:"samples"`
	// Missing lists what could not be measured, and why.
	Missing []string `json:"missing,omitempty"`
}

// WriteCounts are writes to one table by kind.
type WriteCounts struct {
	Inserts int64 `json:"inserts"`
	Updates int64 `json:"updates"`
	Deletes int64 `json:"deletes"`
}

// Total is every write.
func (w WriteCounts) Total() int64 { return w.Inserts + w.Updates + w.Deletes }

// Partial describes a half-applied migration.
type Partial struct {
	Committed  []int    `json:"committed"` // statement indexes that committed before the failure
	FailedAt   int      `json:"failed_at"`
	SchemaDiff []string `json:"schema_diff"` // objects now different from the pre-release schema
	// DownRecovers tells whether running the down migration on this partial
	// state restores the pre-release schema ("yes", "no", "not tried").
	DownRecovers string   `json:"down_recovers"`
	DownDetail   []string `json:"down_detail,omitempty"`
	// KeptGoing: the rehearsal went on (--keep-going) with this state in
	// place; the next migrations ran on it.
	KeptGoing bool `json:"kept_going,omitempty"`
}

// Rollback is the way back: the downs in reverse, under load.
type Rollback struct {
	Attempted  bool                `json:"attempted"`
	Migrations []MigrationRollback `json:"migrations"`
	Restores   bool                `json:"restores"` // the schema equals the pre-release one afterwards
	Remaining  []string            `json:"remaining,omitempty"`
	Roundtrip  string              `json:"roundtrip,omitempty"` // "ok", "failed: ...", "" when not asked
}

// MigrationRollback is one migration's down.
type MigrationRollback struct {
	Version string   `json:"version"`
	Verdict string   `json:"verdict"` // restores | differences | irreversible | data_lost | failed
	Detail  []string `json:"detail,omitempty"`
	// AtRisk lists values the up may have cut and the down does not bring
	// back, where the statistics cannot tell (a narrowed type's decimal
	// places, fractional seconds, character set; no statistics).
	AtRisk     []string    `json:"at_risk,omitempty"`
	Statements []Statement `json:"statements,omitempty"`
}

// AppCompat is the previous-app check: the pre-release workload against the
// new schema.
type AppCompat struct {
	Checked  int              `json:"checked"` // statement shapes tried
	Failures []AppCompatIssue `json:"failures,omitempty"`
}

// AppCompatIssue is one statement shape the previous app version runs that
// fails on the new schema.
type AppCompatIssue struct {
	Table     string `json:"table"`
	Kind      string `json:"kind"` // insert, update, delete, read
	Shape     string `json:"shape"`
	ErrorCode int    `json:"error_code"`
	Error     string `json:"error"`
	Cause     string `json:"cause,omitempty"` // the migration that caused it, when known
}

// Finding is something a person should read, with a stable rule code.
type Finding struct {
	Code      string `json:"code"`     // e.g. RH101, RUN201
	Severity  string `json:"severity"` // error | warning | info
	Migration string `json:"migration,omitempty"`
	Statement int    `json:"statement,omitempty"`
	Table     string `json:"table,omitempty"`
	Message   string `json:"message"`
	Fix       string `json:"fix,omitempty"`
	DocsURL   string `json:"docs_url,omitempty"`
}

// Gate is one pass/fail criterion.
type Gate struct {
	Name     string  `json:"name"`  // max-lock-wait, max-writer-stall, ...
	Scope    string  `json:"scope"` // "total" or "VERSION#N"
	Limit    string  `json:"limit"`
	Measured string  `json:"measured"`
	Value    float64 `json:"value"`
	Passed   bool    `json:"passed"`
}

// GateSetting is one gate as configured: its limit ("off" when turned
// off) and whether it is one of the defaults (rehearse run --help).
type GateSetting struct {
	Name    string `json:"name"`
	Limit   string `json:"limit"`
	Default bool   `json:"default,omitempty"`
}

// Injection is a fault the rehearsal injected.
type Injection struct {
	Kind   string  `json:"kind"` // long-txn, fail-at
	Spec   string  `json:"spec"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
}

// TimePoint is one 100 ms bucket of the timeline.
type TimePoint struct {
	T          float64 `json:"t"`          // seconds since the rehearsal started
	Throughput float64 `json:"throughput"` // ops/s in the bucket
	P50Ms      float64 `json:"p50_ms"`
	P99Ms      float64 `json:"p99_ms"`
	Errors     int64   `json:"errors"`
	Waiters    int     `json:"waiters"`             // sessions waiting for a metadata lock
	Blocked    int     `json:"blocked_writers"`     // writer sessions blocked
	Statement  string  `json:"statement,omitempty"` // "VERSION#N" running in the bucket
	// ReplicaLagMs is the largest replica lag sampled in the bucket
	// (rehearsals with replicas; see Report.Replication).
	ReplicaLagMs float64 `json:"replica_lag_ms,omitempty"`
}

// ErrorEntry is an error of the rehearsal itself.
type ErrorEntry struct {
	Phase   string `json:"phase"`
	Message string `json:"message"`
}

// Capacity holds the extrapolation to a target scale (capacity issue).
type Capacity struct {
	TargetScale float64             `json:"target_scale"`
	Scales      []float64           `json:"scales"`
	Statements  []CapacityStatement `json:"statements"`
	Findings    []Finding           `json:"findings,omitempty"`
	// Additive (capacity issue): what the check was told about production
	// and why something could not be predicted.
	TargetRows    int64    `json:"target_rows,omitempty"`      // the largest table's rows at the target scale
	ProdFreeDisk  int64    `json:"prod_free_disk,omitempty"`   // bytes; 0 = not given
	DeployTimeout float64  `json:"deploy_timeout_s,omitempty"` // 0 = not given
	ProdWriteRate float64  `json:"prod_write_rate,omitempty"`  // ops/s the predictions assume
	LoadRate      float64  `json:"load_rate,omitempty"`        // ops/s the rehearsals ran
	Notes         []string `json:"notes,omitempty"`
}

// CapacityStatement is one statement's measurements and prediction.
type CapacityStatement struct {
	Migration string          `json:"migration"`
	Statement int             `json:"statement"`
	SQL       string          `json:"sql"`
	Model     string          `json:"model"` // constant | linear | nlogn
	R2        float64         `json:"r2"`
	Points    []CapacityPoint `json:"points"`
	Predicted Prediction      `json:"predicted"`
	// Curve samples the fitted model (with its band) from the smallest
	// measured scale to the target scale, so renderers draw it without
	// evaluating the model themselves.
	Curve []CurvePoint `json:"curve,omitempty"`
	// Additive (capacity issue).
	Table     string `json:"table,omitempty"`     // the table whose rows are the x axis
	Operation string `json:"operation,omitempty"` // the plan's operation classes, e.g. "add-unique-index"
	Algorithm string `json:"algorithm,omitempty"` // the plan's (verified or predicted) algorithm
	// Why is how the duration model was chosen (plan class and fit).
	Why string `json:"why,omitempty"`
	// Fits are every metric's model and quality.
	Fits []MetricFit `json:"fits,omitempty"`
	// Note says why there is no prediction (Model "none"), or what limits it.
	Note string `json:"note,omitempty"`
	// Spread is the duration's run-to-run spread at each measured scale
	// (issue 20: the band includes it).
	Spread []CapacitySpread `json:"spread,omitempty"`
	// Extrapolation is the target's row count over the largest measured
	// one (above 10 the report says the prediction extrapolates too far).
	Extrapolation float64 `json:"extrapolation,omitempty"`
}

// CapacitySpread is one measured scale's run-to-run spread of a
// statement's duration.
type CapacitySpread struct {
	Scale   float64 `json:"scale"`
	Rows    int64   `json:"rows"`
	Runs    int     `json:"runs"`
	MedianS float64 `json:"median_s"`
	MinS    float64 `json:"min_s"`
	MaxS    float64 `json:"max_s"`
	// SpreadPct is (max − min) / median, in percent.
	SpreadPct float64 `json:"spread_pct"`
	// RSDPct is the runs' relative standard deviation, in percent (0 with
	// one run).
	RSDPct float64 `json:"rsd_pct"`
}

// MetricFit is one metric's fitted model.
type MetricFit struct {
	Metric string  `json:"metric"` // duration | stall | disk | log | online_log
	Model  string  `json:"model"`  // constant | linear | nlogn | ratio (a fixed share of the duration) | rate (bytes/s × duration)
	R2     float64 `json:"r2"`
	// BandPct is the half-width of the band at the target, in percent of
	// the prediction.
	BandPct float64 `json:"band_pct"`
	// FitBandPct and SpreadBandPct are the band's two parts, combined in
	// quadrature: the fit's forward error widened by the reach, and the
	// measured run-to-run spread propagated to the target.
	FitBandPct    float64 `json:"fit_band_pct,omitempty"`
	SpreadBandPct float64 `json:"spread_band_pct,omitempty"`
}

// CurvePoint is one sample of a fitted duration model.
type CurvePoint struct {
	Scale     float64 `json:"scale"`
	Rows      int64   `json:"rows"`
	DurationS float64 `json:"duration_s"`
	LoS       float64 `json:"lo_s"`
	HiS       float64 `json:"hi_s"`
}

// CapacityPoint is one measured scale.
type CapacityPoint struct {
	Scale     float64 `json:"scale"`
	Rows      int64   `json:"rows"`
	DurationS float64 `json:"duration_s"`
	StallS    float64 `json:"stall_s"`
	DiskBytes int64   `json:"disk_bytes"`
	LogBytes  int64   `json:"log_bytes"`
	// Additive (capacity issue).
	OnlineLogBytes int64   `json:"online_log_bytes,omitempty"`
	TableWrites    int64   `json:"table_writes,omitempty"` // the load's writes to the table while it ran
	PagesRead      int64   `json:"pages_read,omitempty"`
	LockWaitS      float64 `json:"lock_wait_s,omitempty"` // excluded from DurationS (not a function of rows)
	Error          string  `json:"error,omitempty"`       // the statement failed at this scale
	ErrorCode      int     `json:"error_code,omitempty"`
	// ReplicaLagS is the statement's largest peak replica lag (issue 14:
	// rehearsals with replicas only).
	ReplicaLagS float64 `json:"replica_lag_s,omitempty"`
}

// Prediction is a predicted figure with its band.
type Prediction struct {
	Rows       int64   `json:"rows"`
	DurationS  float64 `json:"duration_s"`
	DurationLo float64 `json:"duration_lo_s"`
	DurationHi float64 `json:"duration_hi_s"`
	StallS     float64 `json:"stall_s"`
	DiskBytes  int64   `json:"disk_bytes"`
	LogBytes   int64   `json:"log_bytes"`
	// Additive (capacity issue): the bands of the other figures, and the
	// online-DDL log at production's write rate.
	StallLo        float64 `json:"stall_lo_s,omitempty"`
	StallHi        float64 `json:"stall_hi_s,omitempty"`
	DiskLo         int64   `json:"disk_lo_bytes,omitempty"`
	DiskHi         int64   `json:"disk_hi_bytes,omitempty"`
	LogLo          int64   `json:"log_lo_bytes,omitempty"`
	LogHi          int64   `json:"log_hi_bytes,omitempty"`
	OnlineLogBytes int64   `json:"online_log_bytes,omitempty"`
	OnlineLogHi    int64   `json:"online_log_hi_bytes,omitempty"`
	// OnlineLogRate is the online log's growth at production's write rate
	// (bytes/s), the basis of the overflow finding.
	OnlineLogRate float64 `json:"online_log_rate,omitempty"`
	// ReplicaLagS is the predicted peak replica lag with its band, when
	// every measured scale had replicas (issue 14): a replica replays the
	// statement after the primary committed it, so its lag grows with the
	// table like the statement's own duration (fitted with the same model).
	ReplicaLagS  float64 `json:"replica_lag_s,omitempty"`
	ReplicaLagLo float64 `json:"replica_lag_lo_s,omitempty"`
	ReplicaLagHi float64 `json:"replica_lag_hi_s,omitempty"`
}
