package sqlsplit

import "strings"

// normal scans outside quotes and plain comments. It returns cont=true when
// the scanner switched state (the caller's loop continues) and cont=false
// with a result otherwise.
func (s *scanner) normal(buf []byte, atEOF bool) (st Statement, res result, err error, cont bool) {
	n := len(buf)
	d := s.delim
	for s.pos < n {
		i := s.pos
		c := buf[i]
		if c == d[0] {
			if i+len(d) > n && !atEOF {
				return st, resNeedMore, nil, false
			}
			if i+len(d) <= n && string(buf[i:i+len(d)]) == string(d) {
				if s.start >= 0 && len(d) == 1 && d[0] == ';' && s.head.open() {
					s.significant(i, i+1) // a ';' inside a BEGIN ... END body
					s.pos = i + 1
					continue
				}
				s.pos = i + len(d)
				st, ok := Statement{}, s.start >= 0
				if ok {
					st = s.emit(buf, s.pos, string(d))
				}
				s.line += strings.Count(string(d), "\n") // a delimiter with line breaks (Atlas's "\n\n")
				if ok {
					return st, resStatement, nil, false
				}
				continue
			}
		}
		switch {
		case c == '\n':
			s.line++
			s.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			s.pos++
		case c == '\'' || c == '"' || c == '`':
			s.significant(i, i+1)
			s.head.other()
			s.openLine = s.line
			s.st = quoteState(c)
			s.pos = i + 1
			return st, 0, nil, true
		case c == '#':
			s.st = stLine
			s.pos = i + 1
			return st, 0, nil, true
		case c == '-':
			if i+2 >= n && !atEOF {
				return st, resNeedMore, nil, false
			}
			if i+1 < n && buf[i+1] == '-' && (i+2 == n || isCommentSpace(buf[i+2])) {
				s.st = stLine
				s.pos = i + 2
				return st, 0, nil, true
			}
			s.significant(i, i+1)
			s.head.other()
			s.pos = i + 1
		case c == '/':
			if i+10 > n && !atEOF {
				return st, resNeedMore, nil, false
			}
			if i+1 < n && buf[i+1] == '*' {
				s.openLine = s.line
				switch {
				case i+2 < n && buf[i+2] == '!':
					s.execComment(buf, i, i+3)
				case i+3 < n && buf[i+2] == 'M' && buf[i+3] == '!':
					s.execComment(buf, i, i+4)
				case i+2 < n && buf[i+2] == '+':
					s.significant(i, i+3)
					s.st = stHint
					s.pos = i + 3
					return st, 0, nil, true
				default:
					s.st = stBlock
					s.pos = i + 2
					return st, 0, nil, true
				}
				continue
			}
			s.significant(i, i+1)
			s.head.other()
			s.pos = i + 1
		case c == '*' && s.inExec:
			if i+1 >= n && !atEOF {
				return st, resNeedMore, nil, false
			}
			if i+1 < n && buf[i+1] == '/' {
				s.significant(i, i+2)
				s.inExec = false
				s.pos = i + 2
				continue
			}
			s.significant(i, i+1)
			s.head.other()
			s.pos = i + 1
		case wordByte[c]:
			j := i + 1
			for j < n && wordByte[buf[j]] {
				if s.delimIsW && buf[j] == d[0] && j+len(d) <= n && string(buf[j:j+len(d)]) == string(d) {
					break
				}
				j++
			}
			if j == n && !atEOF {
				return st, resNeedMore, nil, false
			}
			if s.start < 0 && eqFold(buf[i:j], "DELIMITER") && j < n && (buf[j] == ' ' || buf[j] == '\t') {
				k := j
				for k < n && buf[k] != '\n' {
					k++
				}
				if k == n && !atEOF {
					return st, resNeedMore, nil, false
				}
				if err := s.directive(buf[j:k]); err != nil {
					return st, resDone, err, false
				}
				d = s.delim
				s.pos = k
				continue
			}
			s.significant(i, j)
			s.head.word(buf[i:j], i > s.start && (buf[i-1] == '.' || buf[i-1] == '@'))
			s.pos = j
		default:
			s.significant(i, i+1)
			s.head.other()
			s.pos = i + 1
		}
	}
	return st, resNeedMore, nil, true
}

// execComment enters a /*!NNNNN or /*M!NNNNNN executable comment whose
// marker spans buf[i:j]; the version digits are part of the marker.
func (s *scanner) execComment(buf []byte, i, j int) {
	for k := 0; k < 6 && j < len(buf) && buf[j] >= '0' && buf[j] <= '9'; k++ {
		j++
	}
	s.significant(i, j)
	s.inExec = true
	s.pos = j
}

// directive applies "DELIMITER xx" (rest is the text after the word).
func (s *scanner) directive(rest []byte) error {
	a := 0
	for a < len(rest) && (rest[a] == ' ' || rest[a] == '\t') {
		a++
	}
	b := a
	for b < len(rest) && rest[b] != ' ' && rest[b] != '\t' && rest[b] != '\r' {
		b++
	}
	if a == b {
		return s.errorf(s.line, ErrDelimiter, "DELIMITER needs a delimiter string (e.g. DELIMITER $$)")
	}
	tok := rest[a:b]
	if len(tok) >= 2 && (tok[0] == '\'' || tok[0] == '"' || tok[0] == '`') && tok[len(tok)-1] == tok[0] {
		tok = tok[1 : len(tok)-1]
	}
	if len(tok) == 0 || tok[0] == '\\' {
		return s.errorf(s.line, ErrDelimiter, "DELIMITER %q cannot be used as a delimiter", tok)
	}
	s.setDelim(string(tok))
	return nil
}

var wordByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
	}
	return t
}()

func isCommentSpace(c byte) bool { return c <= ' ' }

// eqFold compares w with an upper-case ASCII keyword, ignoring case.
func eqFold(w []byte, kw string) bool {
	if len(w) != len(kw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i]|0x20 != kw[i]|0x20 {
			return false
		}
	}
	return true
}

func quoteState(c byte) state {
	switch c {
	case '\'':
		return stSingle
	case '"':
		return stDouble
	}
	return stBack
}
