package sqlsplit

import "fmt"

// state is what the scanner is inside of.
type state uint8

const (
	stNormal state = iota
	stSingle       // '...'
	stDouble       // "..."
	stBack         // `...`
	stLine         // -- or # comment, until end of line
	stBlock        // /* ... */ plain comment (not significant)
	stHint         // /*+ ... */ optimizer hint (significant)
)

// result of one scan call.
type result uint8

const (
	resNeedMore  result = iota // buf exhausted before a decision: give more input
	resStatement               // a statement is ready
	resDone                    // end of input, nothing more
)

// scanner is a resumable lexer over a buffer that a caller may grow (append
// at the end) and compact (shift). Every field that indexes buf is relative
// to buf[0]; base is buf[0]'s absolute offset.
type scanner struct {
	opts     Options
	delim    []byte
	delimIsW bool // delimiter starts with a word byte
	st       state
	inExec   bool // inside /*! ... */ (content is code)

	pos  int   // next byte to scan
	line int   // line of buf[pos]
	base int64 // absolute offset of buf[0]

	// current statement
	start     int // first significant byte, -1 when none yet
	startLine int
	lastSig   int // just after the last significant byte
	openLine  int // line where the open quote/comment began
	head      head
}

func newScanner(opts Options) *scanner {
	if opts.Line <= 0 {
		opts.Line = 1
	}
	if opts.Delimiter == "" {
		opts.Delimiter = ";"
	}
	s := &scanner{opts: opts, line: opts.Line, base: opts.Offset, start: -1}
	s.setDelim(opts.Delimiter)
	return s
}

func (s *scanner) setDelim(d string) {
	s.delim = []byte(d)
	s.delimIsW = wordByte[s.delim[0]]
}

// shift forgets buf[:k] after the caller dropped those bytes.
func (s *scanner) shift(k int) {
	s.pos -= k
	s.base += int64(k)
	if s.start >= 0 {
		s.start -= k
	}
	s.lastSig -= k
}

// keep is how many leading bytes of buf the scanner no longer needs.
func (s *scanner) keep() int {
	if s.start >= 0 {
		return s.start
	}
	return s.pos
}

// significant marks buf[i:j] as part of the current statement.
func (s *scanner) significant(i, j int) {
	if s.start < 0 {
		s.start = i
		s.startLine = s.line
		s.head = head{}
	}
	s.lastSig = j
}

func (s *scanner) emit(buf []byte, end int, delim string) Statement {
	st := Statement{
		Text:      string(buf[s.start:s.lastSig]),
		File:      s.opts.File,
		Line:      s.startLine,
		Offset:    s.base + int64(s.start),
		End:       s.base + int64(end),
		Delimiter: delim,
		Compound:  s.head.compound,
	}
	s.start = -1
	s.lastSig = 0
	return st
}

func (s *scanner) errorf(line int, err error, format string, args ...any) error {
	return &SyntaxError{File: s.opts.File, Line: line, Msg: fmt.Sprintf(format, args...), Err: err}
}

// scan advances over buf. It returns resStatement with a statement, resDone
// at the end of input (atEOF) or resNeedMore when the next decision needs
// bytes beyond buf.
func (s *scanner) scan(buf []byte, atEOF bool) (Statement, result, error) {
	n := len(buf)
	for s.pos < n {
		switch s.st {
		case stNormal:
			st, res, err, cont := s.normal(buf, atEOF)
			if err != nil || res != resNeedMore || !cont {
				return st, res, err
			}
		case stSingle, stDouble:
			q := byte('\'')
			if s.st == stDouble {
				q = '"'
			}
			i := s.pos
			for i < n {
				b := buf[i]
				if b == q || (b == '\\' && !s.opts.NoBackslashEscapes) {
					break
				}
				if b == '\n' {
					s.line++
				}
				i++
			}
			s.pos = i
			if i == n {
				continue
			}
			if i+1 >= n && !atEOF {
				return Statement{}, resNeedMore, nil
			}
			if buf[i] == '\\' {
				if i+1 < n && buf[i+1] == '\n' {
					s.line++
				}
				s.pos = i + 2
				if s.pos > n {
					s.pos = n
				}
				continue
			}
			if i+1 < n && buf[i+1] == q { // doubled quote
				s.pos = i + 2
				continue
			}
			s.pos = i + 1
			s.lastSig = s.pos
			s.st = stNormal
		case stBack:
			i := s.pos
			for i < n && buf[i] != '`' {
				if buf[i] == '\n' {
					s.line++
				}
				i++
			}
			s.pos = i
			if i == n {
				continue
			}
			if i+1 >= n && !atEOF {
				return Statement{}, resNeedMore, nil
			}
			if i+1 < n && buf[i+1] == '`' {
				s.pos = i + 2
				continue
			}
			s.pos = i + 1
			s.lastSig = s.pos
			s.st = stNormal
		case stLine:
			i := s.pos
			for i < n && buf[i] != '\n' {
				i++
			}
			s.pos = i
			if i < n {
				s.st = stNormal // the newline is counted by stNormal
			}
		case stBlock, stHint:
			i := s.pos
			for i < n {
				if buf[i] == '*' && i+1 < n && buf[i+1] == '/' {
					break
				}
				if buf[i] == '\n' {
					s.line++
				}
				i++
			}
			if i == n {
				s.pos = n
				if buf[n-1] == '*' && !atEOF { // maybe the first half of "*/"
					s.pos = n - 1
					return Statement{}, resNeedMore, nil
				}
				continue
			}
			s.pos = i + 2
			if s.st == stHint {
				s.lastSig = s.pos
			}
			s.st = stNormal
		}
	}
	if !atEOF {
		return Statement{}, resNeedMore, nil
	}
	return s.finish(buf)
}

// finish handles the end of input.
func (s *scanner) finish(buf []byte) (Statement, result, error) {
	switch s.st {
	case stSingle, stDouble, stBack:
		what := map[state]string{stSingle: "string '...'", stDouble: `string "..."`, stBack: "identifier `...`"}[s.st]
		s.st = stNormal
		return Statement{}, resDone, s.errorf(s.openLine, ErrUnterminated, "unterminated %s (it starts here and runs to the end of the input)", what)
	case stBlock, stHint:
		s.st = stNormal
		return Statement{}, resDone, s.errorf(s.openLine, ErrUnterminated, "unterminated /* comment (it starts here and runs to the end of the input)")
	}
	if s.inExec {
		s.inExec = false
		return Statement{}, resDone, s.errorf(s.openLine, ErrUnterminated, "unterminated /*! executable comment")
	}
	if s.start >= 0 {
		return s.emit(buf, s.lastSig, ""), resStatement, nil
	}
	return Statement{}, resDone, nil
}
