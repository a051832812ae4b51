// Package locks is the rehearsal's lock monitor: it samples, on its own
// connection, who waits for which lock on which table and who holds it,
// and turns the samples into wait intervals — from when to when, blocked by
// whom — that answer the rehearsal's questions: how long did the DDL wait
// for its metadata lock (DDLWait), and which sessions waited behind it
// (BlockedBy: count, longest single stall, blocked session-seconds,
// deepest queue).
//
// Sources, best first (chosen per server at Start):
//   - performance_schema.metadata_locks joined to threads: pending and
//     granted metadata locks with their owners' processlist ids and
//     statements. Sampled every 10 ms by default; granted locks are read
//     only for objects that have a pending request, so an idle server costs
//     one small query per tick. MariaDB needs the wait/lock/metadata/sql/mdl
//     instrument (the project's engines switch it on).
//   - information_schema.PROCESSLIST state "Waiting for ... metadata lock":
//     the fallback without performance_schema; it cannot name the blocker.
//   - row-lock waits (information_schema.INNODB_TRX with INNODB_LOCK_WAITS
//     on MariaDB, performance_schema.data_lock_waits on MySQL), sampled
//     rarely (250 ms): INNODB_TRX refreshes at most every 100 ms on MariaDB
//     and is the expensive source.
//
// Wait boundaries come from the server's clock where it has one
// (servertime.go): a starved monitor, sampling late, still places them
// where the server saw them.
//
// A wait seen in fewer than Options.MinSamples consecutive samples is
// dropped: Performance Schema shows one-sample PENDING blips with no DDL
// running.
package locks
