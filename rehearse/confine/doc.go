// Package confine covers what rehearse cannot check statement by statement
// on the dsn engine: a user's --migrate-cmd, an external program holding
// the account. Two measures, both honest about their limits
// (docs/security.md):
//
//   - before: CheckGrants refuses an account whose grants (SHOW GRANTS)
//     let it write outside rehearse_* databases, unless the user accepts
//     the risk;
//   - around: Start records a fingerprint of every other database the
//     account can see (information_schema: tables, their definitions,
//     routines, triggers, events, views; accounts and global variables when
//     readable) and the binary log position; Watch.Check compares after the
//     command and reads the binary log of its window, and any change
//     outside the scratch database is a *Violation.
//
// Neither can tell the command's writes from other clients' writes in the
// same window: on a server where other databases change meanwhile, their
// changes are reported too.
package confine
