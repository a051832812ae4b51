package run

// The replication topology (rehearse/replica): after generation the filled
// sandbox's datadir is handed over and a primary and N replicas start on
// copies of it with production's replication settings; the load writes to
// the primary, a heartbeat measures each replica's lag, each statement is
// marked so its lag, catch-up and applier time are its own, reads sent to
// the replicas count stale ones, and the replicas catch up before the
// verdict.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// ReplicaOptions say which replication topology a rehearsal reproduces.
type ReplicaOptions struct {
	// Count is the number of replicas: AutoReplicas takes what the
	// snapshot shows, at most Max; 0 rehearses the primary alone.
	Count int
	// Max caps the snapshot's count (0: DefaultMaxReplicas). A count given
	// explicitly is not capped.
	Max int
	// Mode is replica.Async or replica.SemiSync; "" takes the snapshot's.
	Mode string
	// Reads are the reads/s sent to the replicas (stale reads); 0 none.
	Reads float64
	// StaleAfter is the age from which a row missing on a replica makes a
	// read stale (0: replica.DefaultStaleAfter).
	StaleAfter time.Duration
	// Settings are more server options for the replicas (--replica-set).
	Settings map[string]string
	// CatchUp bounds the wait for the replicas after the rollback (0:
	// DefaultCatchUp).
	CatchUp time.Duration
	// Galera is the number of Galera nodes to start instead of replicas
	// (galera.go): AutoGalera takes the snapshot's cluster size, at most
	// replica.MaxGaleraNodes; 0 none. OSUMethod overrides production's
	// wsrep_OSU_method ("": the snapshot's, else TOI).
	Galera    int
	OSUMethod string
}

// AutoReplicas asks for the snapshot's replicas.
const AutoReplicas = -1

// Defaults of the topology.
var (
	DefaultMaxReplicas = 2
	DefaultCatchUp     = 10 * time.Minute
)

// replicaCount decides how many replicas to rehearse and says why.
func (o Options) replicaCount() (n int, requested int, from, capped string) {
	ro := o.Replicas
	if ro.Count >= 0 {
		if ro.Count == 0 {
			return 0, 0, "", ""
		}
		return ro.Count, ro.Count, "--replicas", ""
	}
	t := snapshot.TopologyOf(o.Snapshot)
	if t.Replicas <= 0 {
		return 0, 0, "", ""
	}
	max := ro.Max
	if max <= 0 {
		max = DefaultMaxReplicas
	}
	from = fmt.Sprintf("the snapshot (%d replica(s), read from %s)", t.Replicas, t.ReplicasFrom)
	if t.Replicas > max {
		return max, t.Replicas, from, fmt.Sprintf("production has %d replicas; %d rehearsed (--max-replicas %d): every replica replays the same statements, so the figures of one stand for the others", t.Replicas, max, max)
	}
	return t.Replicas, t.Replicas, from, ""
}

// galeraNote says what a rehearsal that starts no cluster (--galera 0, an
// engine that cannot, --replicas) does not reproduce of production's
// Galera cluster ("" when production is not one): the figures are one
// node's; under TOI every node stalls for each DDL.
func galeraNote(t snapshot.Topology) string {
	if !t.Galera {
		return ""
	}
	size := "a Galera cluster"
	if t.GaleraSize > 0 {
		size = fmt.Sprintf("a Galera cluster of %d nodes", t.GaleraSize)
	}
	method := t.OSUMethod
	if method == "" {
		method = "TOI"
	}
	note := fmt.Sprintf("production is %s (wsrep_OSU_method=%s), which this rehearsal does not start (--galera N starts one on the local engine): its figures are one server's", size, method)
	if strings.EqualFold(method, "TOI") {
		note += "; under TOI every DDL runs on every node at the same point of the cluster's order, stalling every node's writers for its whole run, not only the altered table's (docs/replicas.md#galera)"
	}
	return note
}

// replicaState is a rehearsal's topology and its measurements.
type replicaState struct {
	topo   *replica.Topology
	mon    *replica.Monitor
	reader *replica.Reader
	res    *replica.Result
	reads  []replica.Read
	skip   int64
	// behind lists the replicas that had not caught up when the
	// rehearsal ended.
	behind []string
}

// provisionReplicas turns the filled sandbox into a primary with replicas
// (phase "replicas"). Nothing happens when none are asked for.
func (r *rehearsal) provisionReplicas(ctx context.Context, eo engine.Options) error {
	o := r.opts
	g, why, err := r.galeraCount(ctx, eo)
	if err != nil {
		return err
	}
	if g > 0 {
		return r.provisionGalera(ctx, eo, g)
	}
	n, requested, from, capped := o.replicaCount()
	galera := galeraNote(snapshot.TopologyOf(o.Snapshot))
	if galera != "" && why != "" {
		galera += "; not started here: " + why
	}
	if galera != "" {
		r.logf("replicas: %s", galera)
	}
	if n == 0 {
		if galera != "" {
			r.report.Replication = &result.Replication{Notes: []string{galera}}
		}
		if o.Replicas.Count == AutoReplicas {
			t := snapshot.TopologyOf(o.Snapshot)
			if t.Replicas < 0 && t.Role != "standalone" {
				r.logf("replicas: none rehearsed: the snapshot does not say how many replicas production has (%s); give --replicas N", t.ReplicasFrom)
			}
		}
		return nil
	}
	if o.MigrateCommand != nil {
		r.logf("replicas: --migrate-cmd: replica lag is measured over the command's window (no statement marks)")
	}
	if r.srv.Engine == "dsn" {
		err := rehearse.WithHint(errors.New("replicas cannot be rehearsed on the dsn engine (a scratch database on a shared server)"), "use --engine local or docker, or --replicas 0")
		if o.Replicas.Count > 0 {
			return err
		}
		r.logf("replicas: none rehearsed: %v", err)
		r.report.Replication = &result.Replication{Requested: requested, From: from, Notes: []string{"not rehearsed: " + err.Error()}}
		if galera != "" {
			r.report.Replication.Notes = append(r.report.Replication.Notes, galera)
		}
		return nil
	}
	t := snapshot.TopologyOf(o.Snapshot)
	plan := replica.PlanFor(t, o.Snapshot.Settings, n, o.Replicas.Mode)
	plan.ReplicaSettings = o.Replicas.Settings
	rep := &result.Replication{Replicas: n, Requested: requested, From: from, Capped: capped, Mode: plan.Mode,
		HeartbeatMs: float64(replica.DefaultInterval) / float64(time.Millisecond), ReplicaReads: o.Replicas.Reads}
	if galera != "" {
		rep.Notes = append(rep.Notes, galera)
	}
	r.report.Replication = rep
	if capped != "" {
		r.logf("replicas: %s", capped)
	}
	base := restore.StartOptions(o.Snapshot, eo)
	base.Guard = nil // servers this engine starts
	base.Log = o.Log
	return r.timed("replicas", fmt.Sprintf("a primary and %d replica(s) from the filled datadir", n), func() error {
		filled := r.srv
		r.closeReplicaDB()
		t0 := time.Now()
		topo, err := replica.FromServer(ctx, filled, replica.StartOptions{Engine: o.Engine, Base: base, Version: filled.Version, Plan: plan, Log: o.Log})
		r.srv = nil
		if err != nil {
			if errors.Is(err, engine.ErrNoDatadir) {
				return rehearse.WithHint(fmt.Errorf("replicas: %w", err), "the local engine, or docker with a daemon on this host run as root, can start replicas from the filled datadir; or --replicas 0")
			}
			return err
		}
		r.repl = &replicaState{topo: topo}
		if err := r.adoptTopology(topo, "replicas"); err != nil {
			return err
		}
		rep.Shape = plan.Describe(r.srv.Flavor)
		rep.BinlogFormat = r.binlogFormat(ctx)
		mon := replica.NewMonitor(topo, replica.MonitorOptions{Log: o.Log})
		if err := mon.Setup(ctx); err != nil {
			return err
		}
		r.repl.mon = mon
		if o.Replicas.Reads > 0 {
			r.repl.reader = replica.NewReader(topo, replica.ReaderOptions{Rate: o.Replicas.Reads, StaleAfter: o.Replicas.StaleAfter})
			rep.StaleAfterMs = float64(o.Replicas.staleAfter()) / float64(time.Millisecond)
		}
		rep.ProvisionS = time.Since(t0).Seconds()
		rep.ShutdownS, rep.StartS, rep.WireS = topo.Shutdown.Seconds(), topo.Start.Seconds(), topo.Wire.Seconds()
		for _, nd := range topo.Replicas {
			rep.Servers = append(rep.Servers, fmt.Sprintf("%s: server_id %d, %s %s", nd.Name, nd.ServerID, nd.Server.Engine, nd.Server.DisplayDSN()))
		}
		ms := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
		r.phaseDetail = fmt.Sprintf("%s; provisioned in %s (clean shutdown %s, %d servers started %s, wired %s)", rep.Shape,
			ms(time.Since(t0)), ms(topo.Shutdown), n+1, ms(topo.Start), ms(topo.Wire))
		return nil
	})
}

func (o ReplicaOptions) staleAfter() time.Duration {
	if o.StaleAfter > 0 {
		return o.StaleAfter
	}
	return replica.DefaultStaleAfter
}

// closeReplicaDB closes the rehearsal's pool to the filled sandbox before
// its datadir is handed over.
func (r *rehearsal) closeReplicaDB() {
	if r.db != nil {
		r.db.Close()
		r.db = nil
	}
}

func (r *rehearsal) binlogFormat(ctx context.Context) string {
	var f sql.NullString
	if err := r.db.QueryRowContext(ctx, "SELECT @@global.binlog_format").Scan(&f); err != nil {
		return ""
	}
	return f.String
}

// startReplicaMonitor starts the heartbeat, the samplers and the replica
// reader with the load.
func (r *rehearsal) startReplicaMonitor(ctx context.Context) error {
	if r.galera != nil {
		return r.galera.writers.Start(ctx)
	}
	if r.repl == nil {
		return nil
	}
	if err := r.repl.mon.Start(ctx); err != nil {
		return fmt.Errorf("replicas: %w", err)
	}
	if r.repl.reader != nil {
		if err := r.repl.reader.Start(ctx); err != nil {
			return fmt.Errorf("replicas: %w", err)
		}
	}
	return nil
}

// catchUp waits until every replica has applied what the primary has
// (phase "catch-up"), the load still running.
func (r *rehearsal) catchUp(ctx context.Context) {
	if r.repl == nil {
		return
	}
	limit := r.opts.Replicas.CatchUp
	if limit <= 0 {
		limit = DefaultCatchUp
	}
	_ = r.timed("catch-up", "every replica applies what the primary has", func() error {
		t0 := time.Now()
		behind, err := r.repl.mon.CatchUp(ctx, limit)
		r.repl.behind = behind
		if err != nil {
			return err
		}
		if len(behind) > 0 {
			r.phaseDetail = fmt.Sprintf("%v still behind after %s", behind, limit)
			return nil
		}
		r.phaseDetail = fmt.Sprintf("caught up in %s", time.Since(t0).Round(10*time.Millisecond))
		return nil
	})
}

// stopReplicaMonitor stops the measurements (with the load).
func (r *rehearsal) stopReplicaMonitor() {
	if r.galera != nil && r.galera.writes == nil {
		r.galera.writes = r.galera.writers.Stop()
		r.galera.flow = r.galera.writers.Flow()
	}
	if r.repl == nil || r.repl.res != nil {
		return
	}
	if r.repl.reader != nil {
		r.repl.reads, r.repl.skip = r.repl.reader.Stop()
	}
	r.repl.res = r.repl.mon.Stop()
}

// markStatement records a statement the primary ran (nil without
// replicas).
func (r *rehearsal) markStatement(ctx context.Context, label, text string, res execResult) *replica.Mark {
	if r.repl == nil || r.repl.mon == nil {
		return nil
	}
	mk, err := r.repl.mon.Mark(ctx, label, text, res.Start, res.End, res.GTID)
	if err != nil {
		r.logf("replicas: %s: %v", label, err)
	}
	return mk
}

// statementGTID is execStatement's reader of a statement's own GTID (nil
// without replicas).
func (r *rehearsal) statementGTID() func(ctx context.Context, conn *sql.Conn) string {
	if r.repl == nil {
		return nil
	}
	return r.repl.topo.StatementGTID
}

// replicaFigures fills a statement's figures on every replica.
func (r *rehearsal) replicaFigures(s *result.Statement, run *stmtRun, lr *load.Result) {
	r.galeraFigures(s, run)
	if r.repl == nil || r.repl.res == nil || run.mark == nil {
		return
	}
	res := r.repl.res
	figs := res.FiguresOf(run.mark)
	for i, f := range figs {
		rf := result.ReplicaFigures{Replica: f.Replica, PeakLagS: f.PeakLag.Seconds(), ApplyS: f.Apply().Seconds(),
			ApplySource: f.ApplySource, WritesQueued: f.Queued}
		if !f.PeakAt.IsZero() {
			rf.PeakAtS = r.since(f.PeakAt)
		}
		if f.Reached.IsZero() {
			rf.NotApplied = true
		} else {
			rf.CaughtUpS, rf.AppliedAtS = f.CaughtUp.Seconds(), r.since(f.Reached)
		}
		if !f.ApplyStart.IsZero() {
			rf.ApplyStartS = r.since(f.ApplyStart)
		}
		if lr != nil && f.Queued && !f.Reached.IsZero() {
			rf.QueuedWrites = lr.Window(run.res.End, f.Reached).Writes.Ops
		}
		if lr != nil && f.Apply() > 0 {
			rf.PrimaryP99Ms = ms(lr.Window(f.ApplyStart, f.ApplyEnd).Writes.P99)
		}
		if len(r.repl.reads) > 0 {
			from, to := res.Window(indexOf(res.Marks, run.mark), i)
			rf.Reads, rf.StaleReads = replica.StaleIn(r.repl.reads, i, from, to)
		}
		s.Replicas = append(s.Replicas, rf)
	}
}

func indexOf(marks []*replica.Mark, mk *replica.Mark) int {
	for i, m := range marks {
		if m == mk {
			return i
		}
	}
	return -1
}

// replicaTimeline adds the replica-lag lane to the timeline buckets.
func (r *rehearsal) replicaTimeline(get func(i int) *result.TimePoint, bucket func(time.Time) int) {
	if r.repl == nil || r.repl.res == nil {
		return
	}
	for _, rr := range r.repl.res.Replicas {
		for _, s := range rr.Lag {
			p := get(bucket(s.T))
			p.ReplicaLagMs = max(p.ReplicaLagMs, ms(s.Lag))
		}
	}
}

// replicationSummary fills the report's replication section.
func (r *rehearsal) replicationSummary() {
	if r.repl == nil || r.report.Replication == nil {
		return
	}
	rep := r.report.Replication
	rep.Behind = r.repl.behind
	if res := r.repl.res; res != nil {
		rep.Errors = res.Errors
		for _, rr := range res.Replicas {
			for _, s := range rr.Lag {
				rep.PeakLagS = max(rep.PeakLagS, s.Lag.Seconds())
			}
		}
	}
	for _, rd := range r.repl.reads {
		if rd.Err != "" {
			continue
		}
		rep.Reads++
		if rd.Stale {
			rep.StaleReads++
		}
	}
	rep.ReadsSkipped = r.repl.skip
}

// replicaFindings reports what the replicas measured, with the fix.
func (r *rehearsal) replicaFindings() {
	rep := r.report
	r.galeraFindings()
	r.flowFindings()
	r.rsuFindings()
	if rep.Replication == nil || rep.Replication.Replicas == 0 {
		return
	}
	mariadb := rep.Inputs.Flavor == string(engine.MariaDB)
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			if len(s.Replicas) == 0 || s.Status != "ok" {
				continue
			}
			worst := s.Replicas[0]
			for _, f := range s.Replicas {
				if f.PeakLagS > worst.PeakLagS {
					worst = f
				}
			}
			dml := !isDDL(s.SQL)
			if worst.PeakLagS >= LagFindingFloor.Seconds() {
				msg := fmt.Sprintf("%s was %.1f s behind the primary (the statement ran %.1f s on the primary", worst.Replica, worst.PeakLagS, s.DurationS)
				if worst.NotApplied {
					msg += "; the replica had not applied it when the rehearsal ended)"
				} else {
					msg += fmt.Sprintf("; the replica had applied it %.1f s after it ended there", worst.CaughtUpS)
					if worst.ApplyS > 0 {
						msg += fmt.Sprintf(", its applier spent %.1f s on it", worst.ApplyS)
					}
					msg += ")"
				}
				msg += ": a replica replays a statement only after the primary committed it, so its lag is at least the replica's own time on it; reads from it are stale meanwhile and a failover to it loses that time"
				if worst.PrimaryP99Ms > 0 && rep.Replication.Mode == "semi-sync" && rep.Baseline != nil {
					msg += fmt.Sprintf("; semi-sync: the primary's write p99 while it applied was %.1f ms (baseline %.1f ms) — the acknowledgement is the relay log's write, so semi-sync does not bound this lag", worst.PrimaryP99Ms, rep.Baseline.P99Ms)
				}
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version, Statement: s.Index, Table: s.Table,
					Message: msg, Fix: lagFix(s, dml, mariadb),
				}.Of(codes.ReplicaLag))
			}
			if worst.WritesQueued && worst.ApplyS >= LagFindingFloor.Seconds() {
				msg := fmt.Sprintf("on %s, the writes the primary committed after this statement waited until the replica had applied it (%.1f s", worst.Replica, worst.ApplyS)
				if worst.QueuedWrites > 0 {
					msg += fmt.Sprintf("; %d of the load's writes queued in the relay log", worst.QueuedWrites)
				}
				msg += ")"
				fix := "parallel replication does not help here: a DDL is applied alone, every worker waits for it. Run the change with an online schema change tool (gh-ost, pt-online-schema-change: the copy is ordinary small transactions that replicate alongside the application's)"
				if mariadb {
					fix += "; on MariaDB 10.8+ with parallel replication, binlog_alter_two_phase=ON lets the replicas start the ALTER when the primary does, or run it under its own gtid_domain_id (out-of-order apply with GTIDs)"
				}
				if dml {
					fix = "split the data change into batches of a few thousand rows: each batch is its own transaction, so the replica interleaves the application's writes between them"
				}
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version, Statement: s.Index, Table: s.Table, Message: msg, Fix: fix,
				}.Of(codes.ReplicaQueued))
			}
			var reads, stale int64
			for _, f := range s.Replicas {
				reads, stale = reads+f.Reads, stale+f.StaleReads
			}
			if stale > 0 {
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "warning", Migration: m.Version, Statement: s.Index, Table: s.Table,
					Message: fmt.Sprintf("%d of %d reads sent to the replicas while they worked through this statement missed a row the primary had acknowledged more than %s earlier", stale, reads, time.Duration(rep.Replication.StaleAfterMs*float64(time.Millisecond))),
					Fix:     "keep the replicas current during the change (an online schema change tool throttling on lag), or send reads that must see recent writes to the primary while it runs",
				}.Of(codes.StaleReads))
			}
			if dml && s.RowsAffected > 0 && !worst.NotApplied {
				rep.Findings = append(rep.Findings, result.Finding{
					Severity: "info", Migration: m.Version, Statement: s.Index, Table: s.Table,
					Message: binlogExplain(rep.Replication.BinlogFormat, s, worst),
					Fix:     "batch large data changes (each batch its own transaction) whatever the format; with ROW, make sure the table has a primary key (without one the replica scans the table for every row)",
				}.Of(codes.BinlogFormatLag))
			}
		}
	}
	if b := rep.Replication.Behind; len(b) > 0 {
		rep.Findings = append(rep.Findings, result.Finding{
			Severity: "warning",
			Message:  fmt.Sprintf("%v had not applied everything the primary committed when the rehearsal ended (catch-up limit %s): the lag figures of the last statements are lower bounds", b, r.opts.Replicas.catchUp()),
			Fix:      "give the replicas longer (--replica-catch-up) or look at the statement whose lag grows without end",
		}.Of(codes.ReplicaBehind))
	}
}

// LagFindingFloor is the peak lag from which a statement's lag is a
// finding.
var LagFindingFloor = time.Second

func (o ReplicaOptions) catchUp() time.Duration {
	if o.CatchUp > 0 {
		return o.CatchUp
	}
	return DefaultCatchUp
}

// lagFix is the fix for a statement that left the replicas behind.
func lagFix(s result.Statement, dml, mariadb bool) string {
	if dml {
		return "split the data change into batches of a few thousand rows with a pause while the replicas catch up (gh-ost and pt-archiver chunk this way; check Seconds_Behind or a heartbeat between batches)"
	}
	fix := "run it with an online schema change tool that throttles on replica lag (gh-ost --max-lag-millis, pt-online-schema-change --max-lag, spirit)"
	switch {
	case s.Algorithm == "COPY":
		fix += "; or, where the server accepts it, ALGORITHM=INPLACE, LOCK=NONE (the primary stops blocking writers; the replica still replays it after the commit) or ALGORITHM=INSTANT (no rebuild: no lag)"
	case s.VerifiedAlg != "" && s.VerifiedAlg != "INSTANT":
		fix += "; an INSTANT form of the change, where one exists, replicates in milliseconds"
	}
	if mariadb {
		fix += "; on MariaDB 10.8+, binlog_alter_two_phase=ON with parallel replication lets the replicas run the ALTER alongside the primary instead of after it"
	}
	return fix
}

// binlogExplain says how the binary log format replicated a data change,
// and why its lag is what it is.
func binlogExplain(format string, s result.Statement, f result.ReplicaFigures) string {
	apply := fmt.Sprintf("%.2f s", f.ApplyS)
	if f.ApplyS == 0 {
		apply = fmt.Sprintf("less than a sample (caught up %.2f s after)", f.CaughtUpS)
	}
	switch strings.ToUpper(format) {
	case "ROW":
		return fmt.Sprintf("binlog_format=ROW: the %d changed rows replicated as row events (before and after images, found by primary key on the replica), not as the statement; %s applied them in %s, the primary ran the statement in %.2f s. The replica does not evaluate the statement again: its time follows the rows changed and their size, not the statement's plan",
			s.RowsAffected, f.Replica, apply, s.DurationS)
	case "STATEMENT", "MIXED":
		return fmt.Sprintf("binlog_format=%s: the statement replicated as its text and %s executed it again (%s; %.2f s on the primary): the same plan, scan and locks, so its lag follows the primary's duration; a statement that is unsafe for statement-based replication (LIMIT without ORDER BY, non-deterministic functions) is logged as rows under MIXED and refused or diverges under STATEMENT",
			strings.ToUpper(format), f.Replica, apply, s.DurationS)
	}
	return fmt.Sprintf("%s applied the data change in %s (%.2f s on the primary)", f.Replica, apply, s.DurationS)
}

// adoptTopology makes topo's primary the rehearsal's server (its pool
// unbounded, as the load needs) and stops the whole topology at teardown;
// what names it in the teardown log (replicas, galera).
func (r *rehearsal) adoptTopology(topo *replica.Topology, what string) error {
	r.cleanup = append(r.cleanup, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := topo.Stop(sctx); err != nil {
			r.logf("teardown: %s: %v", what, err)
		}
	})
	r.srv = topo.Primary.Server
	db, err := r.srv.Open("")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(0)
	r.db = db
	return nil
}
