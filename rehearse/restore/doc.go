// Package restore recreates a snapshot's databases in a target server: every
// table, view, trigger, routine and event in dependency order, and the
// migration runners' history tables with their rows, so the target's schema
// and history are exactly production's. It also loads mysqldump --no-data
// style files (LoadDump), which is how a snapshot is made from a dump.
//
// Restore writes only to the databases it creates; it refuses a target that
// already has one of them unless told to replace it.
package restore
