// Package scope keeps statements inside one database of a shared server:
// the dsn engine's scratch database rehearse_<id>.
//
// Contract: Scope.Check takes one statement's text and returns either the
// text to run instead — the same bytes, except that a name qualified with
// one of the snapshot's databases (`app`.t, app.f(), CREATE TRIGGER app.x,
// the body of a view, routine, trigger or event) now names the scratch
// database — or a *Violation saying why the statement cannot be confined.
// Refused: any other database's name, USE, CREATE/DROP DATABASE, accounts
// and privileges (GRANT, CREATE USER, ...), SET GLOBAL/PERSIST, plugins,
// server files (LOAD DATA without LOCAL, SELECT ... INTO OUTFILE, DATA/INDEX
// DIRECTORY), tables stored on another server (FEDERATED, CONNECT, SPIDER),
// server-wide statements (KILL, FLUSH, SHUTDOWN, replication), dynamic SQL
// whose text is built at run time, and every statement the MySQL parser
// cannot read (what is not understood cannot be proven confined).
//
// The rewrite is token-precise: only the identifier tokens that qualify a
// name are replaced, and the result is proven by parsing it again: its
// syntax tree must equal the original's with those qualifiers changed, and
// nothing else. A statement where that proof fails (a table or alias named
// like the database, say) is refused rather than guessed at.
//
// Users: the dsn engine's path in rehearse/run (ups, downs, roundtrip, the
// probe), rehearse/restore (the snapshot's tables, views, routines, triggers
// and events) and rehearse/plan's replay on the dsn engine.
package scope
