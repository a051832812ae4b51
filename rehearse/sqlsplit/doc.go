// Package sqlsplit splits MySQL/MariaDB SQL text into statements the way the
// mysql command-line client and the server's multi-statement parser do, so
// that every statement can be run, analysed and reported on its own, with the
// file, line and byte offset it came from.
//
// It understands what real migration files and dumps contain:
//
//   - `DELIMITER xx` directives (mysqldump's `;;`, the usual `$$` and `//`);
//   - BEGIN ... END bodies of procedures, functions, triggers and events sent
//     without DELIMITER (as Mattermost's migrations do), including nested
//     blocks and CASE ... END / END CASE;
//   - '...' and "..." literals with backslash escapes and doubled quotes,
//     `backtick` identifiers with doubled backticks;
//   - `-- ` and `#` line comments and /* */ block comments (dropped when they
//     lead or trail a statement, kept inside one);
//   - /*!NNNNN ... */ and /*M!NNNNNN ... */ executable comments and /*+ */
//     optimizer hints, which are significant text and are kept;
//   - a delimiter inside a string, identifier or comment.
//
// A statement's Text is an exact slice of the input: nothing is rewritten.
// Everything between statements is whitespace, plain comments, delimiters
// and DELIMITER directives (the fuzz test checks this).
//
// Known limit: a routine body that is a single IF/LOOP/WHILE/REPEAT statement
// without BEGIN ... END and without DELIMITER is split at its first ';' (the
// mysql client does the same; use DELIMITER there).
package sqlsplit
