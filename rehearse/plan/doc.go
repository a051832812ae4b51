// Package plan answers, before anything runs against production: which
// migrations a release will run (the pending set against a snapshot's
// history), what drifted (history entries without a file, a dirty entry,
// changed checksums, out-of-order migrations), what each statement does
// (operation classes from TiDB's MySQL-grammar parser, also inside PREPARE
// strings and routine bodies), on which table of what size, with which
// algorithm and lock on the snapshot's exact flavor and version, whether it
// rebuilds the table and how long it should take (from a measured, cached
// calibration).
//
// The server is the ground truth: Build replays the pending set on a
// schema-only sandbox restored from the snapshot, each statement exactly as
// the runner sends it, and classifies every failure by MySQL error number
// ("applied outside the runner", "references what production lacks").
// Then, on a copy of the schema taken before the replay, it runs every
// ALTER that applied through the ALGORITHM/LOCK ladder (INSTANT, then
// NOCOPY/INPLACE with LOCK=NONE and LOCK=SHARED, then COPY), so the first
// level the server accepts is the verified one; the ladder rewrites
// statements, so it never decides whether one applies.
//
// The result is a Plan, a versioned JSON document ("rehearse.plan/v1")
// described in docs/plan-format.md, which the reports package renders.
// Lint-style checks over a Plan are Rules (package plan/rules).
package plan
