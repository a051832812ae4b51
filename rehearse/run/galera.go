package run

// A Galera cluster (rehearse/replica's galera.go) instead of a primary and
// replicas: when the snapshot shows one (wsrep on, its size,
// wsrep_OSU_method) or --galera N asks, the filled sandbox's datadir is
// handed over and N nodes (at most replica.MaxGaleraNodes) of the same
// MariaDB start on copies of it with production's wsrep_OSU_method. The
// load and the migration run on node-1; a writer on every node inserts a
// row every 10 ms, so each statement shows every node's longest write while
// it ran: under TOI a DDL stalls them all (RUN245).

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/blocking"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// AutoGalera asks for the snapshot's Galera cluster.
const AutoGalera = -1

// galeraState is a rehearsal's cluster and its node writers.
type galeraState struct {
	topo    *replica.Topology
	writers *replica.NodeWriters
	writes  [][]replica.Write
	flow    [][]replica.FlowSample
	method  string
}

// galeraAsked says whether a Galera cluster may be started (--galera N,
// or the snapshot's cluster), before galeraCount decides.
func (o Options) galeraAsked() bool {
	return o.Replicas.Galera > 0 || o.Replicas.Galera == AutoGalera && o.Replicas.Count <= 0 && snapshot.TopologyOf(o.Snapshot).Galera
}

// galeraCount decides how many Galera nodes to start (0: none). why says
// why the snapshot's cluster is not started here (the engine, the flavor,
// galera-4 missing); an error is a --galera the rehearsal cannot honour.
func (r *rehearsal) galeraCount(ctx context.Context, eo engine.Options) (n int, why string, err error) {
	ro := r.opts.Replicas
	t := snapshot.TopologyOf(r.opts.Snapshot)
	switch {
	case ro.Galera == 0:
		return 0, "", nil
	case ro.Galera > 0:
		if ro.Galera < 2 {
			return 0, "", rehearse.WithHint(fmt.Errorf("--galera %d: a cluster has at least 2 nodes", ro.Galera), "--galera 3, or --galera 0 for one server")
		}
		if ro.Count > 0 {
			return 0, "", rehearse.WithHint(errors.New("--galera and --replicas together: rehearse starts a Galera cluster or a primary with asynchronous replicas, not both"), "drop one of them")
		}
		if r.srv != nil && r.srv.Engine == "dsn" {
			return 0, "", rehearse.WithHint(errors.New("a Galera cluster cannot be rehearsed on the dsn engine (a scratch database on a shared server)"), "use --engine local with the host's MariaDB and galera-4")
		}
		if err := replica.GaleraSupported(ctx, r.opts.Engine, restore.StartOptions(r.opts.Snapshot, eo)); err != nil {
			return 0, "", fmt.Errorf("--galera %d: %w", ro.Galera, err)
		}
		return min(ro.Galera, replica.MaxGaleraNodes), "", nil
	}
	// The snapshot's.
	if !t.Galera || ro.Count > 0 {
		return 0, "", nil
	}
	size := t.GaleraSize
	if size == 0 {
		size = replica.MaxGaleraNodes
	}
	if size < 2 {
		return 0, "", nil
	}
	if r.srv != nil && r.srv.Engine == "dsn" {
		return 0, "the dsn engine cannot start one", nil
	}
	if err := replica.GaleraSupported(ctx, r.opts.Engine, restore.StartOptions(r.opts.Snapshot, eo)); err != nil {
		return 0, err.Error(), nil
	}
	return min(size, replica.MaxGaleraNodes), "", nil
}

// provisionGalera turns the filled sandbox into node-1 of an n-node
// Galera cluster (phase "replicas").
func (r *rehearsal) provisionGalera(ctx context.Context, eo engine.Options, n int) error {
	o := r.opts
	t := snapshot.TopologyOf(o.Snapshot)
	method := strings.ToUpper(o.Replicas.OSUMethod)
	from := "--galera"
	if method == "" {
		method = strings.ToUpper(t.OSUMethod)
	}
	if method == "" {
		method = "TOI"
	}
	requested := o.Replicas.Galera
	if requested == AutoGalera {
		requested = t.GaleraSize
		from = "the snapshot (a Galera cluster"
		if t.GaleraSize > 0 {
			from += fmt.Sprintf(" of %d nodes", t.GaleraSize)
		}
		from += ", wsrep_OSU_method=" + method + ")"
	}
	plan := replica.Plan{Galera: n, OSUMethod: method, Mode: replica.Galera}
	if v, ok := o.Snapshot.Settings["wsrep_slave_threads"]; ok {
		plan.GaleraApplierThreads, _ = strconv.Atoi(v)
	} else if v, ok := o.Snapshot.Settings["wsrep_applier_threads"]; ok {
		plan.GaleraApplierThreads, _ = strconv.Atoi(v)
	}
	rep := &result.Replication{GaleraNodes: n, Requested: requested, From: from, Mode: replica.Galera, OSUMethod: method,
		NodeWriteMs: float64(replica.WriterInterval) / float64(time.Millisecond)}
	if requested > n {
		rep.Capped = fmt.Sprintf("production has %d nodes; %d rehearsed (at most %d on this machine): under TOI every node runs each DDL, so the figures of one stand for the others", requested, n, replica.MaxGaleraNodes)
		r.logf("galera: %s", rep.Capped)
	}
	if method == "RSU" {
		rep.Notes = append(rep.Notes, "wsrep_OSU_method=RSU: each DDL runs on node-1 only (the node desyncs meanwhile); the other nodes keep the old schema until it is run on each of them, so the change must be compatible both ways")
	}
	r.report.Replication = rep
	base := restore.StartOptions(o.Snapshot, eo)
	base.Guard = nil // servers this engine starts
	base.Log = o.Log
	return r.timed("replicas", fmt.Sprintf("a Galera cluster of %d nodes from the filled datadir", n), func() error {
		filled := r.srv
		r.closeReplicaDB()
		t0 := time.Now()
		topo, err := replica.FromServer(ctx, filled, replica.StartOptions{Engine: o.Engine, Base: base, Version: filled.Version, Plan: plan, Log: o.Log})
		r.srv = nil
		if err != nil {
			return err
		}
		r.galera = &galeraState{topo: topo, method: method}
		if err := r.adoptTopology(topo, "galera"); err != nil {
			return err
		}
		w := replica.NewNodeWriters(topo)
		if err := w.Setup(ctx); err != nil {
			return err
		}
		r.galera.writers = w
		rep.Shape = fmt.Sprintf("Galera cluster of %d nodes (%s, galera-4), wsrep_OSU_method=%s; the load and the migration on node-1, a writer on every node", n, filled.Version, method)
		rep.ProvisionS = time.Since(t0).Seconds()
		rep.ShutdownS, rep.SeedS, rep.StartS = topo.Shutdown.Seconds(), topo.Seed.Seconds(), topo.Start.Seconds()
		for _, nd := range topo.Nodes() {
			rep.Servers = append(rep.Servers, fmt.Sprintf("%s: %s %s", nd.Name, nd.Server.Engine, nd.Server.DisplayDSN()))
		}
		ms := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
		r.phaseDetail = fmt.Sprintf("%s; provisioned in %s (clean shutdown %s, seed %s, %d nodes started and synced %s)", rep.Shape,
			ms(time.Since(t0)), ms(topo.Shutdown), ms(topo.Seed), n, ms(topo.Start))
		return nil
	})
}

// galeraFigures fills a statement's figures on every node.
func (r *rehearsal) galeraFigures(s *result.Statement, run *stmtRun) {
	g := r.galera
	if g == nil || g.writes == nil || run.gmark == nil {
		return
	}
	flows := replica.FlowIn(g.topo, g.flow, run.gmark)
	from, to := replica.ClusterWindow(run.gmark)
	for i, st := range replica.StallsIn(g.topo, g.writes, run.gmark) {
		f := result.GaleraNodeFigures{Node: st.Node, Writes: st.Writes, SlowWrites: st.Slow, FailedWrites: st.Errors, LongestWriteMs: ms(st.Longest)}
		if !st.LongestAt.IsZero() {
			f.LongestAtS = r.since(st.LongestAt)
		}
		if i < len(flows) && !flows[i].NotBracketed {
			fl := flows[i]
			f.FlowControl = &result.FlowControl{PausedMs: ms(fl.Paused), Sent: fl.Sent, Recv: fl.Recv, RecvQueueMax: fl.RecvQueueMax, WindowS: max(0, to.Sub(from).Seconds())}
		}
		s.Galera = append(s.Galera, f)
	}
	s.ClusterStall = clusterStall(s.Galera, g.method)
}

// clusterStall is the longest write of any node's writer during a
// statement (nil: no write) and what it waited for. The node writers'
// inserts touch no table a migration changes and never conflict, so a
// long one waited for the cluster, not for a lock: under TOI every
// node's commits ordered after the DDL wait until that node has run it;
// under RSU node-1's commits pause while it is desynced for the DDL; and
// flow control pauses every node's replication while a node's receive
// queue is over its limit.
func clusterStall(nodes []result.GaleraNodeFigures, method string) *result.ClusterStall {
	var worst *result.GaleraNodeFigures
	for i := range nodes {
		if nodes[i].Writes > 0 && (worst == nil || nodes[i].LongestWriteMs > worst.LongestWriteMs) {
			worst = &nodes[i]
		}
	}
	if worst == nil || worst.LongestWriteMs <= 0 {
		return nil
	}
	var why []string
	switch {
	case method == "TOI":
		why = append(why, "the cluster's commit order (TOI)")
	case method == "RSU" && worst == &nodes[0]:
		why = append(why, "RSU's pause of node-1's commits (desynced for the DDL)")
	}
	if fc := worst.FlowControl; fc != nil && time.Duration(fc.PausedMs*float64(time.Millisecond)) >= FlowPaused {
		why = append(why, fmt.Sprintf("flow control (replication paused %.2f s)", fc.PausedMs/1000))
	}
	waited := "the cluster (its commit order, not a lock)"
	if len(why) > 0 {
		waited = strings.Join(why, " and ") + ", not a lock"
	}
	return &result.ClusterStall{S: worst.LongestWriteMs / 1000, Node: worst.Node, WaitedFor: waited}
}

// FlowPaused is the flow-control pause of the cluster during a statement
// from which rehearse reports it (RUN246): every commit of every node
// waited that long in all.
var FlowPaused = blocking.ShareFloor

// flowFindings: RUN246 for each statement during which flow control
// paused the cluster's replication for FlowPaused or more.
func (r *rehearsal) flowFindings() {
	rep := r.report
	if rep.Replication == nil || rep.Replication.GaleraNodes == 0 {
		return
	}
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			var paused float64
			var window float64
			var senders []string
			for _, f := range s.Galera {
				fc := f.FlowControl
				if fc == nil {
					continue
				}
				paused, window = max(paused, fc.PausedMs), fc.WindowS
				if fc.Sent > 0 {
					senders = append(senders, fmt.Sprintf("%s (%d FC_PAUSE, receive queue up to %d write sets)", f.Node, fc.Sent, fc.RecvQueueMax))
				}
			}
			if time.Duration(paused*float64(time.Millisecond)) < FlowPaused {
				continue
			}
			who := "a node"
			if len(senders) > 0 {
				who = strings.Join(senders, ", ")
			}
			rep.Findings = append(rep.Findings, result.Finding{
				Migration: m.Version, Statement: s.Index, Table: s.Table,
				Message: fmt.Sprintf("flow control paused the cluster's replication for %.2f s of the %.2f s until every node had applied the statement (%.2f s on node-1): %s could not apply the write sets as fast as the cluster sent them and paused every node's commits",
					paused/1000, window, s.DurationS, who),
				Fix: "make the change in small transactions (a backfill in chunks of a few thousand rows, each committed, so no node applies one huge write set while the others' queue behind it; pt-online-schema-change copies in chunks and --max-flow-ctl pauses it while flow control engages); more applier threads on the slow nodes (wsrep_slave_threads) let independent write sets apply in parallel; a larger gcs.fc_limit trades the pause for more lag on the slow node",
			}.Of(codes.GaleraFlowControl))
		}
	}
}

// StallsCluster tells whether a node writer's longest write of stall,
// during a statement that ran dur on node-1, is the statement's stall of
// that node: past max-writer-stall, or at least blocking.ShareFloor and
// more than blocking.SharePercent of the statement's run (under TOI a node
// waits for the DDL whatever its algorithm: the cluster's order holds
// every commit behind it).
func StallsCluster(stall, dur time.Duration) bool {
	return stall > blocking.WriterStall || (stall >= blocking.ShareFloor && dur > 0 && stall*100 > dur*blocking.SharePercent)
}

// galeraFindings: RUN245 for each DDL that, under TOI, stalled the
// writers of nodes other than node-1.
func (r *rehearsal) galeraFindings() {
	rep := r.report
	if rep.Replication == nil || rep.Replication.GaleraNodes == 0 || rep.Replication.OSUMethod != "TOI" {
		return
	}
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			if len(s.Galera) < 2 || s.Status != "ok" || !isDDL(s.SQL) {
				continue
			}
			dur := time.Duration(s.DurationS * float64(time.Second))
			var stalled []string
			for _, f := range s.Galera[1:] {
				if StallsCluster(time.Duration(f.LongestWriteMs*float64(time.Millisecond)), dur) {
					stalled = append(stalled, fmt.Sprintf("%s %.2f s", f.Node, f.LongestWriteMs/1000))
				}
			}
			if len(stalled) == 0 {
				continue
			}
			rep.Findings = append(rep.Findings, result.Finding{
				Migration: m.Version, Statement: s.Index, Table: s.Table,
				Message: fmt.Sprintf("under TOI the statement (%.2f s on node-1, where it ran) stalled the writers of the other nodes too: longest write %s, though none of them wrote %s — every node runs a TOI DDL at the same point of the cluster's order and holds back the commits ordered after it",
					s.DurationS, strings.Join(stalled, ", "), tableOr(s.Table)),
				Fix: "pt-online-schema-change (its own statements are short under TOI; --max-flow-ctl throttles on flow control), or wsrep_OSU_method=RSU node by node (each node leaves the cluster for the change; the schema is mixed meanwhile, so the change must be compatible both ways); an INSTANT change, where the server accepts one, holds the cluster for milliseconds",
			}.Of(codes.GaleraTOI))
		}
	}
}

// rsuFindings: RUN247 for each DDL under RSU that waited for its
// metadata lock (RSUWait or more, or until lock_wait_timeout). RSU
// desyncs node-1 and pauses its commits before the DDL takes the lock: a
// transaction of node-1 that holds a lock on the table (or on a table a
// foreign key of it references) cannot commit — it waits for
// certification — and the DDL waits for it until lock_wait_timeout.
func (r *rehearsal) rsuFindings() {
	rep := r.report
	if rep.Replication == nil || rep.Replication.GaleraNodes == 0 || rep.Replication.OSUMethod != "RSU" {
		return
	}
	for _, m := range rep.Migrations {
		for _, s := range m.Statements {
			timedOut := s.ErrorCode == mysqlkit.ErrLockWaitTimeout
			if !isDDL(s.SQL) || !timedOut && time.Duration(s.LockWaitS*float64(time.Second)) < RSUWait {
				continue
			}
			what := fmt.Sprintf("waited %.2f s for its metadata lock", s.LockWaitS)
			if timedOut {
				what += " and failed with lock_wait_timeout (1205)"
			}
			if s.BlockedBy != "" {
				what += " behind " + s.BlockedBy
			}
			queue := ""
			if len(s.Galera) > 0 && s.Galera[0].FlowControl != nil && s.Galera[0].FlowControl.RecvQueueMax > 0 {
				queue = fmt.Sprintf("; node-1, desynced, queued up to %d write sets of the others", s.Galera[0].FlowControl.RecvQueueMax)
			}
			rep.Findings = append(rep.Findings, result.Finding{
				Migration: m.Version, Statement: s.Index, Table: s.Table,
				Message: fmt.Sprintf("under RSU the statement %s: RSU desyncs node-1 and pauses its commits before the DDL takes its lock, so node-1's own transactions that hold a lock on the table (or on a table its foreign keys reference) wait for certification and never release it; node-1's writers stalled meanwhile, the other nodes' did not%s",
					what, queue),
				Fix: "take the node out of the application's rotation (no writes on it) before running the change there under RSU, then node by node; or TOI with pt-online-schema-change (short statements) if the cluster-wide stall of TOI is too long",
			}.Of(codes.GaleraRSUDeadlock))
		}
	}
}

// RSUWait is the metadata-lock wait of a DDL under RSU from which
// RUN247 reports it.
var RSUWait = time.Second

func tableOr(t string) string {
	if t == "" {
		return "the altered table"
	}
	return t
}

// galeraSchemas compares every other node's schema after the release's
// ups with node-1's (after, captured there): each node is read once it
// has applied everything the cluster had committed (a read under
// wsrep_sync_wait), so under TOI every node has every DDL and under RSU
// none but node-1 has (Replication.SchemaDiffers and a note).
func (r *rehearsal) galeraSchemas(ctx context.Context, after *schemaState) {
	g := r.galera
	if g == nil || after == nil || r.report.Replication == nil {
		return
	}
	rep := r.report.Replication
	var differ []string
	for _, n := range g.topo.Replicas {
		st, err := r.nodeSchema(ctx, n)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: its schema after the release: %v", n.Name, err))
			continue
		}
		if d := diffSchemas(after, st); len(d) > 0 {
			if rep.SchemaDiffers == nil {
				rep.SchemaDiffers = map[string][]string{}
			}
			rep.SchemaDiffers[n.Name] = d
			differ = append(differ, n.Name)
		}
	}
	if len(differ) > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("after the release %s had another schema than node-1 (%s), read once each had applied what the cluster had committed: the DDL ran on node-1 only; run it on every node", strings.Join(differ, ", "), strings.Join(rep.SchemaDiffers[differ[0]], "; ")))
	}
}

// nodeSchema reads the migration database's schema on a Galera node once
// it has applied everything the cluster had committed.
func (r *rehearsal) nodeSchema(ctx context.Context, n *replica.Node) (*schemaState, error) {
	db, err := n.Server.Open("")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := replica.WaitApplied(ctx, db); err != nil {
		return nil, fmt.Errorf("wait until it has applied what the cluster committed: %w", err)
	}
	return captureSchema(ctx, db, r.schema)
}
