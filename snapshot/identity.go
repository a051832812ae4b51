package snapshot

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Identity tells one server from another and says where it sits in a
// replication topology: what the production guard (rehearse/guard) needs to
// recognise the snapshot's source, a replica of it, or a member of its
// cluster or group.
type Identity struct {
	ServerUUID string `json:"server_uuid,omitempty"` // @@server_uuid (MySQL); "" on MariaDB
	ServerID   uint64 `json:"server_id,omitempty"`
	Hostname   string `json:"hostname,omitempty"`
	Port       int    `json:"port,omitempty"`
	Datadir    string `json:"datadir,omitempty"`
	// Upstreams are the servers this one replicates from (SHOW REPLICA
	// STATUS / SHOW ALL SLAVES STATUS, one per channel).
	Upstreams []Upstream `json:"upstreams,omitempty"`
	// GaleraCluster is wsrep_cluster_state_uuid; ReplicationGroup is
	// group_replication_group_name ("" when not a member).
	GaleraCluster    string `json:"galera_cluster,omitempty"`
	ReplicationGroup string `json:"replication_group,omitempty"`
	// TopologyUnknown says why the replication status could not be read
	// ("" when it was).
	TopologyUnknown string `json:"topology_unknown,omitempty"`

	// The rest describes the replication shape around the server
	// (ReadTopology, rehearse snapshot only; the guard does not need it).

	// Replicas are the replicas attached to this server, as ReplicasFrom
	// says they were found; ReplicasUnknown says why they could not be
	// ("" when they were: then an empty list means none).
	Replicas        []Downstream `json:"replicas,omitempty"`
	ReplicasFrom    string       `json:"replicas_from,omitempty"`
	ReplicasUnknown string       `json:"replicas_unknown,omitempty"`
	// SemiSyncClients is Rpl_semi_sync_source_clients (MySQL) or
	// Rpl_semi_sync_master_clients (MariaDB): replicas acknowledging
	// semi-synchronously (nil where the server has no semi-sync).
	SemiSyncClients *int `json:"semi_sync_clients,omitempty"`
	// GaleraSize is wsrep_cluster_size; GroupMembers the ONLINE members of
	// the replication group (0 when not a member).
	GaleraSize   int `json:"galera_size,omitempty"`
	GroupMembers int `json:"group_members,omitempty"`
}

// Upstream is one replication source of a server: SHOW REPLICA STATUS's
// fields (SHOW SLAVE STATUS's on MariaDB and older MySQL) that say which
// source and how far behind.
type Upstream struct {
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	UUID     string `json:"uuid,omitempty"`
	ServerID uint64 `json:"server_id,omitempty"`
	// Channel is Channel_Name (MySQL) or Connection_name (MariaDB's
	// multi-source), "" for the default channel.
	Channel string `json:"channel,omitempty"`
	// IORunning and SQLRunning are the receiver's and applier's states
	// ("Yes", "No", "Connecting").
	IORunning  string `json:"io_running,omitempty"`
	SQLRunning string `json:"sql_running,omitempty"`
	// SecondsBehind is Seconds_Behind_Source/_Master when the capture ran
	// (absent when NULL: a thread stopped); it lies during long events.
	SecondsBehind *int64 `json:"seconds_behind,omitempty"`
	// GTID is how the replica positions itself: "auto_position" (MySQL
	// SOURCE_AUTO_POSITION=1), "slave_pos" or "current_pos" (MariaDB
	// Using_Gtid); "" for binary log file and position.
	GTID string `json:"gtid,omitempty"`
	// SQLDelay is a delayed replica's SQL_Delay in seconds.
	SQLDelay int64 `json:"sql_delay,omitempty"`
	// ParallelMode is MariaDB's Parallel_Mode of the connection.
	ParallelMode string `json:"parallel_mode,omitempty"`
}

// Downstream is one replica attached to a server.
type Downstream struct {
	ServerID uint64 `json:"server_id,omitempty"`
	Host     string `json:"host,omitempty"` // report_host, or the connection's host
	Port     int    `json:"port,omitempty"`
	UUID     string `json:"uuid,omitempty"`
}

// querier is a *sql.DB or *sql.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ReadIdentity reads the identity of the server behind q. Only SELECT of
// system variables and SHOW ... STATUS: it never writes. A replication
// status the account may not read is recorded in TopologyUnknown, not an
// error.
func ReadIdentity(ctx context.Context, q querier) (*Identity, error) {
	id := &Identity{}
	var host, datadir sql.NullString
	var port sql.NullInt64
	var sid sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT @@server_id, @@hostname, @@port, @@datadir").Scan(&sid, &host, &port, &datadir); err != nil {
		return nil, fmt.Errorf("read server identity: %w", err)
	}
	id.ServerID, _ = strconv.ParseUint(sid.String, 10, 64)
	id.Hostname, id.Port, id.Datadir = host.String, int(port.Int64), datadir.String
	var uuid string
	if err := q.QueryRowContext(ctx, "SELECT @@server_uuid").Scan(&uuid); err == nil {
		id.ServerUUID = uuid
	} else if !mysqlkit.Is(err, mysqlkit.ErrUnknownSystemVariable) {
		return nil, fmt.Errorf("read server identity: %w", err)
	}
	var group sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT @@group_replication_group_name").Scan(&group); err == nil {
		id.ReplicationGroup = group.String
	}
	var name, cluster string
	if err := q.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_state_uuid'").Scan(&name, &cluster); err == nil {
		id.GaleraCluster = cluster
	}
	ups, err := upstreams(ctx, q)
	if err != nil {
		id.TopologyUnknown = err.Error()
	}
	id.Upstreams = ups
	return id, nil
}

// upstreams reads the replication channels, MariaDB's named connections
// included.
func upstreams(ctx context.Context, q querier) ([]Upstream, error) {
	var rows *sql.Rows
	var err error
	for _, stmt := range []string{"SHOW ALL SLAVES STATUS", "SHOW REPLICA STATUS", "SHOW SLAVE STATUS"} {
		rows, err = q.QueryContext(ctx, stmt)
		if err == nil || !mysqlkit.Is(err, mysqlkit.ErrParse) { // a syntax the flavor lacks: try the next
			break
		}
	}
	if err != nil {
		if mysqlkit.Is(err, mysqlkit.ErrSpecificAccessDenied, mysqlkit.ErrTableAccessDenied, mysqlkit.ErrDBAccessDenied, mysqlkit.ErrAccessDenied) {
			return nil, fmt.Errorf("this account may not read the replication status (needs REPLICATION CLIENT on MySQL, SLAVE MONITOR on MariaDB): %v", err)
		}
		return nil, fmt.Errorf("read the replication status: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []Upstream
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
		u := Upstream{Host: get("Source_Host", "Master_Host"), UUID: get("Source_UUID", "Master_UUID"),
			Channel: get("Channel_Name", "Connection_name"), IORunning: get("Replica_IO_Running", "Slave_IO_Running"),
			SQLRunning: get("Replica_SQL_Running", "Slave_SQL_Running"), ParallelMode: get("Parallel_Mode")}
		u.Port, _ = strconv.Atoi(get("Source_Port", "Master_Port"))
		u.ServerID, _ = strconv.ParseUint(get("Source_Server_Id", "Master_Server_Id"), 10, 64)
		if n, err := strconv.ParseInt(get("Seconds_Behind_Source", "Seconds_Behind_Master"), 10, 64); err == nil {
			u.SecondsBehind = &n
		}
		u.SQLDelay, _ = strconv.ParseInt(get("SQL_Delay"), 10, 64)
		switch g := strings.ToLower(get("Auto_Position", "Using_Gtid")); g {
		case "1":
			u.GTID = "auto_position"
		case "slave_pos", "current_pos":
			u.GTID = g
		}
		if u.Host != "" || u.UUID != "" {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}
