// Package replica rehearses production's replication topology, not just its
// primary: a primary and N replicas started on copies of one filled,
// cleanly shut down datadir (never by replaying the generation), wired by
// CHANGE REPLICATION SOURCE TO / CHANGE MASTER TO with GTIDs or a binary
// log position, with production's binary log, parallel-apply and
// semi-synchronous settings (provision.go, settings.go, dialect.go).
//
// While the rehearsal runs it measures each replica (monitor.go):
//
//   - lag by heartbeat: a row of the rehearsal's own scratch table
//     (rehearse_replication.heartbeat) updated on the primary every 100 ms
//     and read on each replica; lag at time t is t minus the moment the
//     primary acknowledged the oldest heartbeat the replica does not have
//     yet (0 when it has the newest). Not Seconds_Behind_Source, which
//     lies during long events and says 0 while the receiver lags;
//   - when each replica has applied each migration statement (it waits
//     for the primary's GTID set or binary log position read right after
//     the statement: WAIT_FOR_EXECUTED_GTID_SET, MASTER_GTID_WAIT,
//     SOURCE_POS_WAIT/MASTER_POS_WAIT);
//   - the applier's own work on a statement: performance_schema's
//     replication applier tables on MySQL (by the statement's GTID), the
//     processlist of the replication threads on MariaDB;
//   - stale reads (stale.go): reads sent to the replicas of rows the load
//     inserted on the primary long enough ago.
//
// Statement figures (Statement, figures.go) are computed after the
// rehearsal from those samples and the primary's load.
package replica
