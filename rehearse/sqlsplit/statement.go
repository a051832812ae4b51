package sqlsplit

import (
	"errors"
	"fmt"
)

// Statement is one SQL statement and where it came from.
type Statement struct {
	// Text is the statement without its delimiter, without leading and
	// trailing whitespace and plain comments. Comments inside are kept.
	// It is an exact copy of the input bytes Offset..Offset+len(Text).
	Text string
	// File is Options.File, for messages.
	File string
	// Line is the 1-based line of Text's first byte.
	Line int
	// Offset is the byte offset of Text's first byte in the input (plus
	// Options.Offset).
	Offset int64
	// End is the byte offset just after the delimiter that ended the
	// statement (or after Text at end of input).
	End int64
	// Delimiter is the delimiter that ended the statement, "" when the input
	// ended first.
	Delimiter string
	// Compound is true for CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT and
	// BEGIN NOT ATOMIC statements, whose body holds ';'.
	Compound bool
}

// Pos is "file:line" (or "line N" without a file), for messages.
func (s Statement) Pos() string {
	if s.File == "" {
		return fmt.Sprintf("line %d", s.Line)
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Options tune a split. The zero value splits on ';' from line 1.
type Options struct {
	// File names the input in Statement.File and in errors.
	File string
	// Line is the line number of the input's first byte (default 1): a
	// caller splitting a section of a file passes the section's first line.
	Line int
	// Offset is added to every Statement.Offset/End (the section's offset).
	Offset int64
	// Delimiter is the initial delimiter (default ";").
	Delimiter string
	// NoBackslashEscapes treats '\' as an ordinary character inside string
	// literals (sql_mode NO_BACKSLASH_ESCAPES).
	NoBackslashEscapes bool
	// MaxStatementBytes bounds one statement when reading from an
	// io.Reader (0 = no limit); a longer one fails with ErrTooLarge.
	MaxStatementBytes int
}

// Sentinel errors; the returned errors wrap them in a *SyntaxError.
var (
	ErrUnterminated = errors.New("unterminated")
	ErrTooLarge     = errors.New("statement too large")
	ErrDelimiter    = errors.New("bad DELIMITER directive")
)

// SyntaxError is a lexical problem at a position of the input.
type SyntaxError struct {
	File string
	Line int
	Msg  string
	Err  error
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
