// Package evidence reads what a team captured during an incident: the
// processlist (SHOW FULL PROCESSLIST as the mysql client's table, \G and
// batch output, pt-stalk's processlist files, performance_schema.processlist
// or threads exported as CSV or JSON), SHOW ENGINE INNODB STATUS (pt-stalk's
// innodbstatus1), a statement digest export
// (events_statements_summary_by_digest as CSV, JSON or client output) and
// the deploy's log (golang-migrate, goose, Flyway, Liquibase, or a pattern
// given by the user).
//
// Read takes a folder and returns every sample, transaction, digest and
// deploy event it could read, and a Problem for every line it could not
// (a truncated table, an unknown column, a time without a date): one bad
// line never discards a file, and nothing is filled in silently — a value
// the reader had to assume is a Problem too. One small file per evidence
// kind; rehearse/reproduce turns the evidence into a rehearsal.
package evidence
