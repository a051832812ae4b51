package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Replication shape: what replicates from the snapshot's source and how.
// The source's own replication status is its Identity (upstreams, cluster,
// group: what the production guard reads); ReadTopology adds what a
// rehearsal of the topology needs — the replicas attached to it, semi-sync
// clients, Galera's and the group's size — and the replication variables
// are settings (SettingNames). TopologyOf reads all of it across flavors
// and versions.

// ReadTopology adds to id the replicas attached to the server behind q and
// the sizes of its cluster or group. Only SHOW and SELECT: it never writes.
// What the account may not read is recorded (ReplicasUnknown), not an error.
//
// Replicas are read, in order, from SHOW REPLICAS / SHOW SLAVE HOSTS (MySQL:
// REPLICATION SLAVE, which also lets an account read the binary log, so
// the least-privilege grant leaves it out; MariaDB 10.5.2+: REPLICATION
// MASTER ADMIN), else from the binary-log dump threads in
// performance_schema.threads (SELECT on it; performance_schema on), else
// from information_schema.PROCESSLIST when the account has PROCESS.
func ReadTopology(ctx context.Context, q querier, id *Identity) {
	id.Replicas, id.ReplicasFrom, id.ReplicasUnknown = readReplicas(ctx, q)
	for _, name := range []string{"Rpl_semi_sync_source_clients", "Rpl_semi_sync_master_clients"} {
		var n string
		var v sql.NullString
		if err := q.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&n, &v); err == nil {
			if c, err := strconv.Atoi(v.String); err == nil {
				id.SemiSyncClients = &c
				break
			}
		}
	}
	if id.GaleraCluster != "" {
		var n, v string
		if err := q.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'").Scan(&n, &v); err == nil {
			id.GaleraSize, _ = strconv.Atoi(v)
		}
	}
	if id.ReplicationGroup != "" {
		var c int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM performance_schema.replication_group_members WHERE MEMBER_STATE = 'ONLINE'").Scan(&c); err == nil {
			id.GroupMembers = c
		}
	}
}

// readReplicas returns the attached replicas, how they were found, or why
// they could not be.
func readReplicas(ctx context.Context, q querier) ([]Downstream, string, string) {
	var why []string
	for _, stmt := range []string{"SHOW REPLICAS", "SHOW REPLICA HOSTS", "SHOW SLAVE HOSTS"} {
		out, err := showReplicas(ctx, q, stmt)
		if err == nil {
			return out, "show-replicas", ""
		}
		if mysqlkit.Is(err, mysqlkit.ErrParse) { // this flavor's spelling is another
			continue
		}
		why = append(why, fmt.Sprintf("%s: %v", stmt, err))
		break
	}
	// The binary-log dump threads: one per attached replica.
	const dump = "('Binlog Dump', 'Binlog Dump GTID')"
	if out, err := dumpThreads(ctx, q, "SELECT PROCESSLIST_HOST FROM performance_schema.threads WHERE PROCESSLIST_COMMAND IN "+dump); err == nil {
		var on sql.NullString
		if q.QueryRowContext(ctx, "SELECT @@performance_schema").Scan(&on) == nil && (on.String == "1" || strings.EqualFold(on.String, "ON")) {
			return out, "performance_schema.threads", ""
		}
		why = append(why, "performance_schema is off")
	} else {
		why = append(why, fmt.Sprintf("performance_schema.threads: %v", err))
	}
	if hasGlobalPrivilege(ctx, q, "PROCESS") {
		if out, err := dumpThreads(ctx, q, "SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN "+dump); err == nil {
			return out, "processlist", ""
		} else {
			why = append(why, fmt.Sprintf("information_schema.PROCESSLIST: %v", err))
		}
	}
	return nil, "", "the attached replicas cannot be read (" + strings.Join(why, "; ") + "): grant SELECT ON performance_schema.threads (performance_schema on), or tell `rehearse run` with --replicas N"
}

func showReplicas(ctx context.Context, q querier, stmt string) ([]Downstream, error) {
	rows, err := q.QueryContext(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := []Downstream{}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		get := func(names ...string) string {
			for _, n := range names {
				for i, c := range cols {
					if strings.EqualFold(c, n) {
						return vals[i].String
					}
				}
			}
			return ""
		}
		d := Downstream{Host: get("Host"), UUID: get("Replica_UUID", "Slave_UUID")}
		d.ServerID, _ = strconv.ParseUint(get("Server_id"), 10, 64)
		d.Port, _ = strconv.Atoi(get("Port"))
		out = append(out, d)
	}
	return out, rows.Err()
}

func dumpThreads(ctx context.Context, q querier, query string) ([]Downstream, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Downstream{}
	for rows.Next() {
		var host sql.NullString
		if err := rows.Scan(&host); err != nil {
			return nil, err
		}
		h := host.String
		if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.Contains(h[i+1:], ".") {
			h = h[:i] // processlist's "host:port" of the replica's connection
		}
		out = append(out, Downstream{Host: h})
	}
	return out, rows.Err()
}

// hasGlobalPrivilege reports whether the session's account holds priv on
// *.* (information_schema.USER_PRIVILEGES lists the account's own).
func hasGlobalPrivilege(ctx context.Context, q querier, priv string) bool {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = ?", priv).Scan(&n)
	return err == nil && n > 0
}

// Role is the server's place in replication: "galera" (a Galera cluster
// member), "group" (group replication), "relay" (a replica with replicas of
// its own), "replica", "source" (replicas attached), "standalone" (none
// seen either way), or "unknown" (neither could be read).
func (id *Identity) Role() string {
	if id == nil {
		return "unknown"
	}
	switch {
	case id.GaleraCluster != "":
		return "galera"
	case id.ReplicationGroup != "":
		return "group"
	}
	hasReplicas := len(id.Replicas) > 0 || id.SemiSyncClients != nil && *id.SemiSyncClients > 0
	switch {
	case len(id.Upstreams) > 0 && hasReplicas:
		return "relay"
	case len(id.Upstreams) > 0:
		return "replica"
	case hasReplicas:
		return "source"
	case id.TopologyUnknown != "" || id.ReplicasFrom == "":
		return "unknown" // not readable, or a snapshot from before ReadTopology
	}
	return "standalone"
}

// Topology is a snapshot's replication shape read across flavors and
// versions (MySQL's replica_*/rpl_semi_sync_source_* and their older
// slave_*/master_* names, MariaDB's slave_parallel_threads): what a
// rehearsal with replicas reproduces and what diff compares. It is derived
// from Source.Identity and Settings, never stored.
type Topology struct {
	Role string `json:"role"`
	// Replicas is how many replicas the source has (-1: unknown).
	Replicas int `json:"replicas"`
	// ReplicasFrom says how Replicas was counted, or why it is unknown.
	ReplicasFrom string `json:"replicas_from,omitempty"`
	LogBin       bool   `json:"log_bin"`
	BinlogFormat string `json:"binlog_format,omitempty"`    // ROW, STATEMENT, MIXED
	RowImage     string `json:"binlog_row_image,omitempty"` // FULL, MINIMAL, NOBLOB
	// GTID: MySQL's gtid_mode ON (MariaDB always writes GTIDs; there it
	// says whether the source's own upstream positions by GTID).
	GTID bool `json:"gtid"`
	// ParallelWorkers are the applier threads of a replica (0: one serial
	// applier); ParallelMode MariaDB's slave_parallel_mode or MySQL's
	// replica_parallel_type; PreserveCommitOrder MySQL's.
	ParallelWorkers     int    `json:"parallel_workers"`
	ParallelMode        string `json:"parallel_mode,omitempty"`
	PreserveCommitOrder bool   `json:"preserve_commit_order,omitempty"`
	// SemiSync: the source waits for a replica's acknowledgement
	// (rpl_semi_sync_source_enabled / _master_enabled), up to
	// SemiSyncTimeoutMs, at SemiSyncWaitPoint.
	SemiSync          bool   `json:"semi_sync"`
	SemiSyncTimeoutMs int64  `json:"semi_sync_timeout_ms,omitempty"`
	SemiSyncWaitPoint string `json:"semi_sync_wait_point,omitempty"`
	// TwoPhaseAlter is MariaDB's binlog_alter_two_phase (10.8+).
	TwoPhaseAlter bool `json:"binlog_alter_two_phase,omitempty"`
	// Galera: wsrep on, the cluster's size and wsrep_OSU_method.
	Galera     bool   `json:"galera,omitempty"`
	GaleraSize int    `json:"galera_size,omitempty"`
	OSUMethod  string `json:"osu_method,omitempty"`
	// Group replication and its ONLINE members.
	Group        bool `json:"group,omitempty"`
	GroupMembers int  `json:"group_members,omitempty"`
}

// TopologyOf reads a snapshot's replication shape.
func TopologyOf(s *Snapshot) Topology {
	set := func(names ...string) string {
		for _, n := range names {
			if v, ok := s.Settings[n]; ok {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	on := func(v string) bool {
		switch strings.ToUpper(v) {
		case "1", "ON", "YES", "TRUE", "FORCE", "FORCE_PLUS_PERMANENT":
			return true
		}
		return false
	}
	id := s.Source.Identity
	t := Topology{Role: id.Role(), Replicas: -1,
		LogBin: on(set("log_bin")), BinlogFormat: strings.ToUpper(set("binlog_format")), RowImage: strings.ToUpper(set("binlog_row_image")),
		ParallelMode:        strings.ToLower(set("slave_parallel_mode", "replica_parallel_type", "slave_parallel_type")),
		PreserveCommitOrder: on(set("replica_preserve_commit_order", "slave_preserve_commit_order")),
		SemiSync:            on(set("rpl_semi_sync_source_enabled", "rpl_semi_sync_master_enabled")),
		SemiSyncWaitPoint:   strings.ToUpper(set("rpl_semi_sync_source_wait_point", "rpl_semi_sync_master_wait_point")),
		TwoPhaseAlter:       on(set("binlog_alter_two_phase")),
		Galera:              on(set("wsrep_on")),
		OSUMethod:           strings.ToUpper(set("wsrep_osu_method")),
	}
	t.ParallelWorkers, _ = strconv.Atoi(set("replica_parallel_workers", "slave_parallel_threads", "slave_parallel_workers"))
	t.SemiSyncTimeoutMs, _ = strconv.ParseInt(set("rpl_semi_sync_source_timeout", "rpl_semi_sync_master_timeout"), 10, 64)
	t.GTID = on(set("gtid_mode"))
	if id != nil {
		if id.ReplicasFrom != "" {
			t.Replicas = len(id.Replicas)
			t.ReplicasFrom = id.ReplicasFrom
		} else if t.ReplicasFrom = id.ReplicasUnknown; t.ReplicasFrom == "" {
			t.ReplicasFrom = "the snapshot predates topology capture"
		}
		if id.SemiSyncClients != nil && *id.SemiSyncClients > t.Replicas {
			t.Replicas = *id.SemiSyncClients
			t.ReplicasFrom = "semi-sync clients"
		}
		if s.Source.Flavor == "mariadb" {
			for _, u := range id.Upstreams {
				if u.GTID != "" {
					t.GTID = true
				}
			}
		}
		t.GaleraSize = id.GaleraSize
		t.Galera = t.Galera && id.GaleraCluster != "" || id.GaleraSize > 0
		t.Group = id.ReplicationGroup != ""
		t.GroupMembers = id.GroupMembers
	} else {
		t.ReplicasFrom = "the snapshot records no identity of its source"
	}
	return t
}
