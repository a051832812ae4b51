// Package capacity answers a DBA's questions before a release: how long
// will each migration statement take on production's table, how much disk
// does it need, how much log does it write, and will the online-DDL log
// overflow at production's write rate — without production's hardware.
//
// Check rehearses the release (package run) at several fractions of
// production's row counts under the same load, then Analyze fits each
// statement's measurements against its table's rows — constant for
// metadata-only changes, linear for a table copy, n·log n for an index
// build, chosen by the plan's operation class and checked against the fit
// — and predicts the target scale with a band from the leave-one-out
// errors. Findings compare the predictions with what the caller says about
// production (free disk, deploy timeout, write rate) and with the
// snapshot's innodb_online_alter_log_max_size. The result is the report's
// capacity section (result.Capacity).
package capacity
