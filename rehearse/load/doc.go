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
// Values. An insert writes a new row of the datagen model the tables were
// generated from (Options.Data; datagen.RowSource): each table has one
// counter of new-row indexes starting past the generated rows, shared by
// its templates and by a ReplayShapes running beside the load, so unique
// keys collide neither with generated rows nor with each other; foreign
// keys name generated parent rows (never one the load deleted); columns
// follow the snapshot's statistics. AUTO_INCREMENT and generated columns
// are bound NULL: the server makes them. An update sets its columns to a
// new row's values; update, delete and read address rows by keys sampled
// from the table (and the keys the load inserted). A table the model lacks
// is planned from its definition, its current row count standing for the
// generated rows.
//
// A Generator keeps per-interval summaries (HdrHistogram, 100 ms by
// default), overall histograms, error counts by class, and a compact record
// of every operation (scheduled start, latency, template, class) from which
// Window computes exact statistics for any time range.
package load
