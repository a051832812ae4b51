package reports

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

func init() {
	register(Format{
		Name: "prom", File: "metrics.prom",
		Doc:    "Prometheus text exposition for a textfile collector or a Pushgateway, labelled by migration and statement",
		Report: promReport,
	})
}

// promFamily is one metric family: its samples are written together under
// one HELP and TYPE line, as the exposition format requires.
type promFamily struct {
	name, help string
	samples    []string
}

type promWriter struct {
	families []*promFamily
	byName   map[string]*promFamily
}

// gauge adds a sample to the named gauge family. labels alternate name,
// value; empty values are left out.
func (p *promWriter) gauge(name, help string, value float64, labels ...string) {
	f := p.byName[name]
	if f == nil {
		f = &promFamily{name: name, help: help}
		p.byName[name] = f
		p.families = append(p.families, f)
	}
	var ls []string
	for i := 0; i+1 < len(labels); i += 2 {
		if labels[i+1] == "" {
			continue
		}
		ls = append(ls, labels[i]+`="`+promLabel(labels[i+1])+`"`)
	}
	series := name
	if len(ls) > 0 {
		series += "{" + strings.Join(ls, ",") + "}"
	}
	f.samples = append(f.samples, series+" "+strconv.FormatFloat(value, 'g', 12, 64))
}

func (p *promWriter) write(w io.Writer) error {
	var b strings.Builder
	for _, f := range p.families {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", f.name, promHelp(f.help), f.name)
		for _, s := range f.samples {
			b.WriteString(s + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// promLabel escapes a label value: backslash, double quote and newline.
func promLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// promHelp escapes HELP text: backslash and newline.
func promHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// promReport writes the rehearsal's figures as gauges without timestamps
// (a textfile collector stamps them when it scrapes). Seconds and ratios,
// never milliseconds, per Prometheus' base-unit convention.
func promReport(w io.Writer, r *result.Report, _ Options) error {
	p := &promWriter{byName: map[string]*promFamily{}}
	in := r.Inputs
	p.gauge("rehearse_info", "The rehearsal this file describes; always 1.", 1,
		"tool", r.Tool, "flavor", in.Flavor, "version", in.Version, "engine", in.Engine,
		"snapshot_digest", in.SnapshotDigest, "verdict", r.Verdict)
	p.gauge("rehearse_passed", "1 when the rehearsal ran and every gate passed, else 0.", b01(r.Verdict == result.Pass))
	if !r.StartedAt.IsZero() {
		p.gauge("rehearse_started_timestamp_seconds", "When the rehearsal started, in Unix seconds.", float64(r.StartedAt.Unix()))
		p.gauge("rehearse_duration_seconds", "Wall time of the whole rehearsal.", r.FinishedAt.Sub(r.StartedAt).Seconds())
	}
	p.gauge("rehearse_scale", "Data scale rehearsed (1.0 is production's row counts).", in.Scale)
	p.gauge("rehearse_rows", "Rows generated in all.", float64(in.Rows))
	for _, ph := range r.Phases {
		p.gauge("rehearse_phase_duration_seconds", "Wall time of each phase of the rehearsal.", ph.Duration, "phase", ph.Name, "status", ph.Status)
	}
	if k := r.DataCacheKey(); k != "" {
		p.gauge("rehearse_data_from_cache", "1 when the data came from the data cache (restore and generate skipped); key is the entry.", 1, "key", k)
	}
	if b := r.Baseline; b != nil {
		p.gauge("rehearse_baseline_write_p99_seconds", "Write p99 latency before any migration ran.", b.P99Ms/1000)
		p.gauge("rehearse_baseline_write_throughput", "Completed operations per second before any migration ran.", b.Throughput)
	}
	for _, m := range r.Migrations {
		p.gauge("rehearse_migration_duration_seconds", "Wall time of each migration.", m.DurationS, "migration", m.Version, "name", m.Name, "status", m.Status)
		for _, s := range m.Statements {
			l := []string{"migration", m.Version, "statement", strconv.Itoa(s.Index), "table", s.Table, "operation", s.Operation}
			p.gauge("rehearse_statement_failed", "1 when the statement failed, else 0 (not-run statements are absent from the other statement metrics).", b01(stmtStatus(s) == "failed"), l...)
			if stmtStatus(s) == "not_run" {
				continue
			}
			p.gauge("rehearse_statement_duration_seconds", "Wall time of each migration statement.", s.DurationS, append(l, "algorithm", s.Algorithm)...)
			p.gauge("rehearse_statement_lock_wait_seconds", "How long the statement waited for its own metadata lock.", s.LockWaitS, l...)
			p.gauge("rehearse_statement_writers_blocked", "Distinct writer sessions that waited behind the statement.", float64(s.WritersBlocked), l...)
			p.gauge("rehearse_statement_longest_stall_seconds", "Longest single writer wait caused by the statement.", s.LongestStallS, l...)
			p.gauge("rehearse_statement_blocked_session_seconds", "Sum of the writer waits caused by the statement.", s.BlockedSessionS, l...)
			p.gauge("rehearse_statement_deepest_queue", "Most sessions waiting at once while the statement ran.", float64(s.DeepestQueue), l...)
			if s.During != nil {
				p.gauge("rehearse_statement_write_p99_seconds", "Write p99 latency while the statement ran.", s.During.P99Ms/1000, l...)
				p.gauge("rehearse_statement_write_throughput", "Completed operations per second while the statement ran.", s.During.Throughput, l...)
				for _, class := range sortedKeys(s.During.Errors) {
					p.gauge("rehearse_statement_load_errors", "Load errors by class while the statement ran.", float64(s.During.Errors[class]), append(l, "class", class)...)
				}
			}
			if s.P99Ratio > 0 {
				p.gauge("rehearse_statement_write_p99_ratio", "Write p99 while the statement ran divided by the baseline p99 (the p99 delta as a factor).", s.P99Ratio, l...)
			}
			if s.TempBytes > 0 {
				p.gauge("rehearse_statement_temp_bytes", "Peak extra disk used while the statement ran.", float64(s.TempBytes), l...)
			}
			for _, f := range s.Galera {
				nl := append(append([]string(nil), l...), "node", f.Node)
				p.gauge("rehearse_statement_galera_longest_write_seconds", "Longest write of each Galera node's writer while the statement held it (node-1: its run; another node: until it had applied it).", f.LongestWriteMs/1000, nl...)
				p.gauge("rehearse_statement_galera_slow_writes", "Writes of each Galera node's writer that took 100 ms or more while the statement held it.", float64(f.SlowWrites), nl...)
				if fc := f.FlowControl; fc != nil {
					p.gauge("rehearse_statement_galera_flow_control_paused_seconds", "How long flow control paused each Galera node's replication from the statement's start until every node had applied it (wsrep_flow_control_paused_ns).", fc.PausedMs/1000, nl...)
					p.gauge("rehearse_statement_galera_flow_control_sent", "FC_PAUSE events each Galera node sent in the statement's cluster window (wsrep_flow_control_sent).", float64(fc.Sent), nl...)
					p.gauge("rehearse_statement_galera_flow_control_recv", "FC_PAUSE events each Galera node received in the statement's cluster window (wsrep_flow_control_recv).", float64(fc.Recv), nl...)
					p.gauge("rehearse_statement_galera_recv_queue_max", "Longest receive queue (write sets) of each Galera node in the statement's cluster window.", float64(fc.RecvQueueMax), nl...)
				}
			}
			for _, f := range s.Replicas {
				rl := append(append([]string(nil), l...), "replica", f.Replica)
				p.gauge("rehearse_statement_replica_lag_seconds", "Peak heartbeat lag of each replica while it worked its way to the statement.", f.PeakLagS, rl...)
				if !f.NotApplied {
					p.gauge("rehearse_statement_replica_caught_up_seconds", "Time from the statement's end on the primary until each replica had applied it.", f.CaughtUpS, rl...)
				}
				p.gauge("rehearse_statement_replica_applied", "1 when the replica had applied the statement before the rehearsal ended, else 0.", b01(!f.NotApplied), rl...)
				p.gauge("rehearse_statement_replica_apply_seconds", "The replica applier's own time on the statement (0 when shorter than a sample).", f.ApplyS, rl...)
				p.gauge("rehearse_statement_replica_writes_queued", "1 when the writes committed after the statement waited on the replica until it was applied, else 0.", b01(f.WritesQueued), rl...)
				if f.Reads > 0 {
					p.gauge("rehearse_statement_replica_stale_reads", "Stale reads among the reads sent to the replica in the statement's window.", float64(f.StaleReads), rl...)
				}
			}
		}
	}
	if rp := r.Replication; rp != nil && rp.GaleraNodes > 0 {
		p.gauge("rehearse_galera_nodes", "Galera nodes rehearsed.", float64(rp.GaleraNodes), "osu_method", rp.OSUMethod)
		p.gauge("rehearse_replication_provision_seconds", "Time to hand the filled datadir over and start and wire the topology.", rp.ProvisionS)
	}
	if rp := r.Replication; rp != nil && rp.Replicas > 0 {
		p.gauge("rehearse_replicas", "Replicas rehearsed with the primary.", float64(rp.Replicas), "mode", rp.Mode, "binlog_format", rp.BinlogFormat)
		p.gauge("rehearse_replication_peak_lag_seconds", "Largest replica lag sampled over the whole rehearsal.", rp.PeakLagS)
		p.gauge("rehearse_replication_provision_seconds", "Time to hand the filled datadir over and start and wire the topology.", rp.ProvisionS)
		if rp.ReplicaReads > 0 {
			p.gauge("rehearse_replica_reads", "Reads sent to the replicas.", float64(rp.Reads))
			p.gauge("rehearse_replica_stale_reads", "Reads sent to the replicas that missed a row the primary had acknowledged --stale-after earlier.", float64(rp.StaleReads))
		}
	}
	for _, g := range r.Gates {
		p.gauge("rehearse_gate_passed", "1 when the gate passed, else 0.", b01(g.Passed), "gate", g.Name, "scope", g.Scope, "limit", g.Limit)
		p.gauge("rehearse_gate_value", "The figure the gate measured, in the gate's unit (seconds, a ratio, a count).", g.Value, "gate", g.Name, "scope", g.Scope)
	}
	if rb := r.Rollback; rb != nil && rb.Attempted {
		p.gauge("rehearse_rollback_restores", "1 when the downs restored the pre-release schema, else 0.", b01(rb.Restores))
		for _, m := range rb.Migrations {
			p.gauge("rehearse_rollback_migration_restores", "1 when the migration's down restored its part of the schema, else 0.", b01(m.Verdict == "restores"), "migration", m.Version, "verdict", m.Verdict)
		}
	}
	if ac := r.AppCompat; ac != nil {
		p.gauge("rehearse_app_compat_checked", "Statement shapes of the previous app version tried on the new schema.", float64(ac.Checked))
		p.gauge("rehearse_app_compat_failures", "Statement shapes of the previous app version that fail on the new schema.", float64(len(ac.Failures)))
	}
	for _, f := range r.Findings {
		st := ""
		if f.Statement > 0 {
			st = strconv.Itoa(f.Statement)
		}
		p.gauge("rehearse_finding", "One series per finding; always 1.", 1, "code", f.Code, "severity", f.Severity, "migration", f.Migration, "statement", st, "table", f.Table)
	}
	return p.write(w)
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
