// Package datagen fills a server whose schema matches a snapshot with
// production-scale synthetic rows: valid for every column type, obeying every
// key, foreign key, NOT NULL and (where it can be modelled) CHECK constraint,
// and following the snapshot's statistics (row counts × scale, null fraction,
// distinct count, min/max, string lengths). It never reads or copies a
// production row.
//
// How values are made. Every column value is a pure function of (seed, table,
// column, row index): a row index is mapped to a "key" k (through a permutation,
// a null decision and, for composite unique keys, a mixed-radix tuple), and a
// per-type domain turns k into a value that is distinct for distinct k under
// the column's collation. Distinctness by construction is what lets the load
// run with unique_checks=0, and computing foreign-key values from the parent's
// generator (instead of reading parents back) is what lets every table load
// in parallel with foreign_key_checks=0 and still leave no orphan.
//
// How rows get in. Each table is one streamed LOAD DATA LOCAL INFILE through
// the driver's reader handler (no file, no table held in memory), or, when the
// server refuses local_infile, multi-row INSERTs in one transaction. Tables
// load in parallel streams (Options.Parallel).
//
// Rows past the generated ones. A Model (Result.Model, or NewModel without
// writing anything) recomputes any generated row, and its RowSource makes
// rows beyond them for a load to insert: row indexes from the generated
// count on, whose unique keys are past every generated key (a key's domain
// is extended outside the generated range), whose foreign keys name
// generated parent rows, and whose columns follow the same plan.
package datagen
