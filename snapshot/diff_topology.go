package snapshot

import (
	"fmt"
	"strconv"
	"strings"
)

// topologySettings are the replication variables topology() compares (with
// their consequence for a release) instead of settings(): both flavors'
// names, read through TopologyOf.
var topologySettings = map[string]bool{
	"enforce_gtid_consistency": true, "gtid_strict_mode": true, "log_replica_updates": true, "log_slave_updates": true,
	"sync_binlog": true, "read_only": true,
	"replica_parallel_workers": true, "slave_parallel_workers": true, "slave_parallel_threads": true, "slave_parallel_mode": true,
	"replica_parallel_type": true, "slave_parallel_type": true, "replica_preserve_commit_order": true, "slave_preserve_commit_order": true,
	"binlog_transaction_dependency_tracking": true,
	"rpl_semi_sync_source_enabled":           true, "rpl_semi_sync_master_enabled": true, "rpl_semi_sync_replica_enabled": true, "rpl_semi_sync_slave_enabled": true,
	"rpl_semi_sync_source_timeout": true, "rpl_semi_sync_master_timeout": true, "rpl_semi_sync_source_wait_point": true, "rpl_semi_sync_master_wait_point": true,
	"rpl_semi_sync_source_wait_for_replica_count": true,
	"binlog_alter_two_phase":                      true, "wsrep_on": true, "wsrep_osu_method": true, "wsrep_slave_threads": true, "wsrep_applier_threads": true,
	"group_replication_single_primary_mode": true, "group_replication_consistency": true,
}

// topology reports replication drift: replicas on one side only, a
// different number of them, another role, parallel apply, semi-sync,
// two-phase ALTER, Galera and group replication — each with what it does
// to a migration.
func (d *differ) topology() {
	ta, tb := TopologyOf(d.a), TopologyOf(d.b)
	if ta.Replicas >= 0 && tb.Replicas >= 0 && ta.Replicas != tb.Replicas {
		switch {
		case ta.Replicas == 0 || tb.Replicas == 0:
			with, without := "{A}", "{B}"
			n := ta.Replicas
			if ta.Replicas == 0 {
				with, without, n = "{B}", "{A}", tb.Replicas
			}
			d.add(DriftTopology, "replicas", "differs", strconv.Itoa(ta.Replicas), strconv.Itoa(tb.Replicas),
				"%s has %d replica(s) and %s none: there a migration ends when the primary's statement commits; in %s every asynchronous replica replays each DDL after it committed, serially, so a 40 s ALTER leaves each replica at least 40 s behind (stale reads, a failover target that is behind, writes queued behind it in the relay log) — \"it was fast in staging\". Rehearse with `rehearse run --replicas %d`",
				with, n, without, with, n)
		default:
			d.add(DriftTopology, "replicas", "differs", strconv.Itoa(ta.Replicas), strconv.Itoa(tb.Replicas),
				"{A} has %d replicas and {B} %d: every replica replays each DDL after the primary commits it; replica reads and failover targets lag on each", ta.Replicas, tb.Replicas)
		}
	}
	if ta.Role != tb.Role && ta.Role != "unknown" && tb.Role != "unknown" {
		d.add(DriftTopology, "role", "differs", ta.Role, tb.Role,
			"{A} is %s and {B} %s: a migration run on a replica is replicated to nothing (and diverges its replica from the source), one run on a source reaches every replica", article(ta.Role), article(tb.Role))
	}
	if ta.Galera != tb.Galera {
		d.add(DriftTopology, "galera", "differs", onOff(ta.Galera), onOff(tb.Galera),
			"one environment is a Galera cluster: there a DDL under TOI (wsrep_OSU_method, the default) runs on every node at once and blocks writes on the whole cluster for its duration, not only on the table's node; pt-online-schema-change or RSU per node is the way around it")
	} else if ta.Galera && tb.Galera && ta.OSUMethod != tb.OSUMethod && ta.OSUMethod != "" && tb.OSUMethod != "" {
		d.add(DriftTopology, "wsrep_osu_method", "differs", ta.OSUMethod, tb.OSUMethod,
			"schema changes are replicated differently: TOI blocks the whole cluster for the DDL's duration, RSU applies it on one node only (the others keep the old schema until it is run on each)")
	}
	if ta.Group != tb.Group {
		d.add(DriftTopology, "group_replication", "differs", onOff(ta.Group), onOff(tb.Group),
			"one environment runs group replication: every member applies each DDL, a large transaction can exceed group_replication_transaction_size_limit, and flow control throttles writers while members lag")
	}
	if ta.Replicas != 0 || tb.Replicas != 0 || ta.Role != "standalone" || tb.Role != "standalone" {
		// Parallel apply and semi-sync matter where something replicates.
		if ta.ParallelWorkers != tb.ParallelWorkers && (ta.ParallelWorkers == 0 || tb.ParallelWorkers == 0) {
			d.add(DriftTopology, "parallel apply", "differs", workers(ta.ParallelWorkers), workers(tb.ParallelWorkers),
				"replicas apply with %s in {A} and %s in {B}: a serial applier replays the load's writes one after another, so lag after a migration drains at different speeds (a DDL is applied alone in both: it never runs in parallel with other transactions)",
				workers(ta.ParallelWorkers), workers(tb.ParallelWorkers))
		}
		if ta.ParallelMode != tb.ParallelMode && ta.ParallelMode != "" && tb.ParallelMode != "" {
			d.add(DriftTopology, "parallel mode", "differs", ta.ParallelMode, tb.ParallelMode,
				"the replicas' parallel mode differs: how many of the load's transactions apply at once, and so how fast lag after a migration drains, differs")
		}
		if ta.SemiSync != tb.SemiSync {
			d.add(DriftTopology, "semi-sync", "differs", onOff(ta.SemiSync), onOff(tb.SemiSync),
				"commits wait for a replica's acknowledgement in one environment only: commit latency, and so how far writes back up behind a migration, differs (the acknowledgement is the relay log's write, not the apply: semi-sync does not bound replica lag)")
		}
		if ta.TwoPhaseAlter != tb.TwoPhaseAlter {
			d.add(DriftTopology, "binlog_alter_two_phase", "differs", onOff(ta.TwoPhaseAlter), onOff(tb.TwoPhaseAlter),
				"with two-phase ALTER the replicas start an ALTER when the primary does (START ALTER) instead of after it commits: the lag an ALTER leaves on replicas differs by about its duration")
		}
	}
}

// DriftTopology: replicas, role, parallel apply, semi-sync, Galera, group
// replication.
const DriftTopology DriftKind = "topology"

func article(role string) string {
	switch role {
	case "galera":
		return "a Galera node"
	case "group":
		return "a group replication member"
	case "relay":
		return "an intermediate replica (a replica with replicas)"
	case "source":
		return "a source with replicas"
	case "replica":
		return "a replica"
	}
	return "a standalone server"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func workers(n int) string {
	if n <= 0 {
		return "one serial applier"
	}
	return fmt.Sprintf("%d parallel workers", n)
}

// isTopologySetting reports whether setting k is compared by topology().
func isTopologySetting(k string) bool { return topologySettings[strings.ToLower(k)] }
