// Package mysqlkit is the one place for the small things every package that
// talks to MySQL or MariaDB needs the same way: quoting identifiers
// (Quote, Qualified), the server's error numbers by name and the test of an
// error against them (Is, Code, the AlreadyExists and MissingObject sets),
// and the formatting of byte counts and large integers for people (Bytes,
// BytesShort, BytesSI, Thousands). It imports only the MySQL driver, so any
// package may use it (as skeema's tengo keeps its helpers and errors.go).
package mysqlkit
