package migrations

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/sqlsplit"
)

// directive kinds of annotated formats (goose, sql-migrate, dbmate).
type dirKind int

const (
	dirNone dirKind = iota
	dirUp
	dirDown
	dirBegin  // StatementBegin
	dirEnd    // StatementEnd
	dirNoTx   // NO TRANSACTION (goose)
	dirIgnore // a directive that does not change splitting (ENVSUB ...)
	dirUnknown
)

// annotation reads one line; ok=false when it is not a directive.
type annotation func(line string) (kind dirKind, noTx bool, ok bool)

// annotated is a file split by an annotation into up and down sections.
type annotated struct {
	up, down *Script
	noTx     bool
}

// parseAnnotated splits f into its up and down sections; marker names the
// format's up annotation for messages ("-- +goose Up").
func parseAnnotated(f File, ann annotation, marker string) (annotated, []Problem) {
	var res annotated
	var probs []Problem
	var cur *Script
	data := f.Data
	chunk, chunkLine := 0, 1
	inBlock, blockLine, blockStart := false, 0, 0
	flush := func(end int) {
		if inBlock || chunk >= end {
			return
		}
		sts, err := sqlsplit.Split(data[chunk:end], sqlsplit.Options{File: f.Path, Line: chunkLine, Offset: f.Offset + int64(chunk)})
		if err != nil {
			probs = append(probs, splitProblem(f, err))
		}
		if cur == nil && len(sts) > 0 {
			probs = append(probs, Problem{Code: "outside-section", Severity: Error, File: f.Path, Line: sts[0].Line,
				Message: fmt.Sprintf("SQL before the first %q annotation: the runner would not run it", marker)})
			return
		}
		if cur != nil {
			cur.Statements = append(cur.Statements, sts...)
		}
	}
	line := 1
	for off := 0; off < len(data); line++ {
		eol := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if eol >= 0 {
			next = off + eol + 1
		}
		text := strings.TrimSpace(string(data[off:next]))
		kind, noTx, ok := ann(text)
		if !ok {
			off = next
			continue
		}
		flush(off)
		switch kind {
		case dirUp, dirDown:
			if inBlock {
				probs = append(probs, Problem{Code: "unterminated-block", Severity: Error, File: f.Path, Line: blockLine,
					Message: "StatementBegin without StatementEnd before the next section"})
				inBlock = false
			}
			sec := &res.up
			if kind == dirDown {
				sec = &res.down
			}
			if *sec != nil {
				probs = append(probs, Problem{Code: "duplicate-section", Severity: Error, File: f.Path, Line: line,
					Message: fmt.Sprintf("a second %q annotation (the first is at line %d)", text, (*sec).Line)})
			} else {
				*sec = &Script{File: f.Path, Line: line}
			}
			cur = *sec
			res.noTx = res.noTx || noTx
		case dirBegin:
			if inBlock {
				probs = append(probs, Problem{Code: "nested-block", Severity: Error, File: f.Path, Line: line,
					Message: fmt.Sprintf("StatementBegin inside the block that starts at line %d", blockLine)})
			}
			inBlock, blockLine, blockStart = true, line, next
		case dirEnd:
			if !inBlock {
				probs = append(probs, Problem{Code: "unmatched-end", Severity: Error, File: f.Path, Line: line,
					Message: "StatementEnd without StatementBegin"})
				break
			}
			inBlock = false
			if st, ok := blockStatement(f, data[blockStart:off], blockStart, blockLine+1); ok && cur != nil {
				cur.Statements = append(cur.Statements, st)
			}
		case dirNoTx:
			res.noTx = true
		case dirUnknown:
			probs = append(probs, Problem{Code: "unknown-annotation", Severity: Warning, File: f.Path, Line: line,
				Message: fmt.Sprintf("unknown annotation %q ignored", text)})
		}
		off = next
		chunk, chunkLine = next, line+1
	}
	flush(len(data))
	if inBlock {
		probs = append(probs, Problem{Code: "unterminated-block", Severity: Error, File: f.Path, Line: blockLine,
			Message: "StatementBegin without StatementEnd"})
	}
	if res.up == nil {
		probs = append(probs, Problem{Code: "no-up-section", Severity: Error, File: f.Path, Line: 1,
			Message: fmt.Sprintf("no %q annotation: not a migration of this format", marker)})
	}
	for _, s := range []*Script{res.up, res.down} {
		if s != nil {
			s.Checksum = sectionChecksum(s)
		}
	}
	return res, probs
}

// blockStatement makes one statement of a StatementBegin/End block: its
// text trimmed, without the trailing ';' the runner sends along.
func blockStatement(f File, b []byte, start, line int) (sqlsplit.Statement, bool) {
	lead := len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
	line += bytes.Count(b[:lead], []byte{'\n'})
	body := bytes.TrimRight(b[lead:], " \t\r\n")
	body = bytes.TrimRight(bytes.TrimSuffix(body, []byte(";")), " \t\r\n")
	if len(body) == 0 {
		return sqlsplit.Statement{}, false
	}
	off := f.Offset + int64(start+lead)
	return sqlsplit.Statement{Text: string(body), File: f.Path, Line: line, Offset: off,
		End: off + int64(len(body)), Delimiter: ";", Compound: bytes.Contains(body, []byte(";"))}, true
}

// wholeFile splits a file that is one script (golang-migrate, Flyway).
func wholeFile(f File) (*Script, []Problem) {
	sts, err := sqlsplit.Split(f.Data, sqlsplit.Options{File: f.Path, Offset: f.Offset})
	s := &Script{File: f.Path, Line: 1, Statements: sts}
	s.Checksum = sectionChecksum(s)
	if err != nil {
		return s, []Problem{splitProblem(f, err)}
	}
	return s, nil
}

func splitProblem(f File, err error) Problem {
	var se *sqlsplit.SyntaxError
	if errors.As(err, &se) {
		return Problem{Code: "syntax", Severity: Error, File: f.Path, Line: se.Line, Message: se.Msg}
	}
	return Problem{Code: "syntax", Severity: Error, File: f.Path, Message: err.Error()}
}

// sectionChecksum is a sha256 over the statements' text: stable across
// comment and whitespace edits, changed by any edit that runs differently.
func sectionChecksum(s *Script) string {
	h := sha256.New()
	for _, st := range s.Statements {
		h.Write([]byte(st.Text))
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
