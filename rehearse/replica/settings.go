package replica

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/snapshot"
)

// Modes of replication a rehearsal can reproduce.
const (
	Async    = "async"
	SemiSync = "semi-sync"
)

// Plan is the topology a rehearsal reproduces: production's replication
// shape (snapshot.TopologyOf), the number of replicas and the mode.
type Plan struct {
	Replicas int
	Mode     string // Async or SemiSync
	// GTID positions the replicas by GTID (MySQL: gtid_mode=ON on every
	// server; MariaDB: MASTER_USE_GTID=slave_pos), else by binary log
	// file and position.
	GTID         bool
	BinlogFormat string // "" = the server's default
	RowImage     string
	// LogReplicaUpdates: the replicas write their own binary log (the
	// failover candidates production keeps); nil = the server's default.
	LogReplicaUpdates *bool
	// Parallel apply on the replicas: workers (0: one serial applier),
	// MariaDB's slave_parallel_mode, MySQL's preserve-commit-order (nil =
	// the server's default).
	ParallelWorkers     int
	ParallelMode        string
	PreserveCommitOrder *bool
	// TwoPhaseAlter is MariaDB's binlog_alter_two_phase (10.8+) on the
	// primary.
	TwoPhaseAlter bool
	// SemiSyncTimeoutMs is the semi-sync wait before the primary falls
	// back to asynchronous (0: the server's 10 s); SemiSyncWaitPoint
	// AFTER_SYNC or AFTER_COMMIT ("": the server's).
	SemiSyncTimeoutMs int64
	SemiSyncWaitPoint string
	// ReplicaSettings are more server options for the replicas only
	// (rehearse run --replica-set), applied last.
	ReplicaSettings map[string]string
	// Galera > 0 starts a Galera cluster of that many nodes instead of a
	// primary and replicas (galera.go): OSUMethod is its
	// wsrep_OSU_method ("": TOI), GaleraApplierThreads its
	// wsrep_slave_threads (0: the server's).
	Galera               int
	OSUMethod            string
	GaleraApplierThreads int
}

// PlanFor is the plan that reproduces topology t with replicas replicas;
// mode "" takes t's (semi-sync when production's source has it on).
func PlanFor(t snapshot.Topology, settings map[string]string, replicas int, mode string) Plan {
	if mode == "" {
		mode = Async
		if t.SemiSync {
			mode = SemiSync
		}
	}
	p := Plan{Replicas: replicas, Mode: mode, GTID: t.GTID, BinlogFormat: t.BinlogFormat, RowImage: t.RowImage,
		ParallelWorkers: t.ParallelWorkers, ParallelMode: t.ParallelMode, TwoPhaseAlter: t.TwoPhaseAlter,
		SemiSyncTimeoutMs: t.SemiSyncTimeoutMs, SemiSyncWaitPoint: t.SemiSyncWaitPoint}
	if v, ok := first(settings, "log_replica_updates", "log_slave_updates"); ok {
		b := on(v)
		p.LogReplicaUpdates = &b
	}
	if v, ok := first(settings, "replica_preserve_commit_order", "slave_preserve_commit_order"); ok {
		b := on(v)
		p.PreserveCommitOrder = &b
	}
	if _, ok := first(settings, "replica_parallel_workers", "slave_parallel_threads", "slave_parallel_workers"); !ok {
		p.ParallelWorkers = -1 // not captured: the server's default
	}
	return p
}

func first(m map[string]string, names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := m[n]; ok {
			return v, true
		}
	}
	return "", false
}

func on(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// Describe says what the plan reproduces, for the report.
func (p Plan) Describe(flavor engine.Flavor) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("%d replica(s), %s", p.Replicas, p.Mode))
	if p.GTID || flavor == engine.MariaDB {
		parts = append(parts, "GTID positioning")
	} else {
		parts = append(parts, "binary log file and position")
	}
	if p.BinlogFormat != "" {
		parts = append(parts, "binlog_format="+p.BinlogFormat)
	}
	switch {
	case p.ParallelWorkers > 0:
		w := fmt.Sprintf("%d parallel workers", p.ParallelWorkers)
		if p.ParallelMode != "" {
			w += " (" + p.ParallelMode + ")"
		}
		parts = append(parts, w)
	case p.ParallelWorkers == 0:
		parts = append(parts, "one serial applier")
	}
	if p.TwoPhaseAlter {
		parts = append(parts, "binlog_alter_two_phase=ON")
	}
	return strings.Join(parts, ", ")
}

// serverSettings are the server options of the primary (id 1) or a
// replica (id > 1) of a flavor and version.
func (p Plan) serverSettings(flavor engine.Flavor, version string, id int) map[string]string {
	primary := id == 1
	s := map[string]string{
		"server_id": strconv.Itoa(id),
		"log_bin":   "binlog",
	}
	if p.BinlogFormat != "" {
		s["binlog_format"] = p.BinlogFormat
	}
	if p.RowImage != "" {
		s["binlog_row_image"] = p.RowImage
	}
	mysql := flavor == engine.MySQL
	newNames := mysql && engine.VersionAtLeast(version, 8, 0, 26)
	if mysql {
		if p.GTID {
			s["gtid_mode"], s["enforce_gtid_consistency"] = "ON", "ON"
		} else {
			s["gtid_mode"], s["enforce_gtid_consistency"] = "OFF", "OFF"
		}
	}
	if !primary {
		s["relay_log"] = "relay"
		s["read_only"] = "ON"
		if p.LogReplicaUpdates != nil {
			name := "log_slave_updates"
			if newNames {
				name = "log_replica_updates"
			}
			s[name] = onOff(*p.LogReplicaUpdates)
		}
		if p.ParallelWorkers >= 0 {
			switch {
			case mysql && newNames:
				s["replica_parallel_workers"] = strconv.Itoa(p.ParallelWorkers)
			case mysql:
				s["slave_parallel_workers"] = strconv.Itoa(p.ParallelWorkers)
			default:
				s["slave_parallel_threads"] = strconv.Itoa(p.ParallelWorkers)
			}
		}
		if !mysql && p.ParallelMode != "" && isMariaDBParallelMode(p.ParallelMode) {
			s["slave_parallel_mode"] = p.ParallelMode
		}
		if mysql && p.PreserveCommitOrder != nil {
			name := "slave_preserve_commit_order"
			if newNames {
				name = "replica_preserve_commit_order"
			}
			s[name] = onOff(*p.PreserveCommitOrder)
		}
	}
	if primary && !mysql && p.TwoPhaseAlter && engine.VersionAtLeast(version, 10, 8) {
		s["binlog_alter_two_phase"] = "ON"
	}
	if p.Mode == SemiSync {
		switch {
		case mysql && newNames && primary:
			s["plugin_load_add"] = "semisync_source.so"
			s["rpl_semi_sync_source_enabled"] = "ON"
		case mysql && newNames:
			s["plugin_load_add"] = "semisync_replica.so"
			s["rpl_semi_sync_replica_enabled"] = "ON"
		case mysql && primary:
			s["plugin_load_add"] = "semisync_master.so"
			s["rpl_semi_sync_master_enabled"] = "ON"
		case mysql:
			s["plugin_load_add"] = "semisync_slave.so"
			s["rpl_semi_sync_slave_enabled"] = "ON"
		case primary:
			s["rpl_semi_sync_master_enabled"] = "ON"
		default:
			s["rpl_semi_sync_slave_enabled"] = "ON"
		}
		if primary {
			prefix := "rpl_semi_sync_master_"
			if newNames {
				prefix = "rpl_semi_sync_source_"
			}
			if p.SemiSyncTimeoutMs > 0 {
				s[prefix+"timeout"] = strconv.FormatInt(p.SemiSyncTimeoutMs, 10)
			}
			if p.SemiSyncWaitPoint != "" {
				s[prefix+"wait_point"] = p.SemiSyncWaitPoint
			}
		}
	}
	if !primary {
		for k, v := range p.ReplicaSettings {
			s[k] = v
		}
	}
	return s
}

func isMariaDBParallelMode(m string) bool {
	switch strings.ToLower(m) {
	case "none", "minimal", "conservative", "optimistic", "aggressive":
		return true
	}
	return false
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}
