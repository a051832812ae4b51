// Package load is the rehearsal's open-loop load generator: the running
// application during a deploy, reduced to its statement shapes.
//
// Operations are scheduled at a target rate and each one's latency is
// measured from its scheduled start, not from the moment a connection
// became free, so a writer stuck behind a metadata lock counts its whole
// wait (no coordinated omission). Every table has its own lane — its own
// schedule and connections — so a stall on one table does not delay the
// schedule of another.
//
// The workload is a Profile: operation templates (insert of valid rows,
// update, delete and point read by an existing primary key) built against
// the pre-release schema, from snapshot tables (DefaultProfile) or from the
// workload's statement digests (ProfileFromDigests). ReplayShapes runs every
// template once against a new schema: the previous-app compatibility check.
//
// A Generator keeps per-interval summaries (HdrHistogram, 100 ms by
// default), overall histograms, error counts by class, and a compact record
// of every operation (scheduled start, latency, template, class) from which
// Window computes exact statistics for any time range.
package load
