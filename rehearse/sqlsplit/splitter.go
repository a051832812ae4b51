package sqlsplit

import (
	"errors"
	"io"
)

// Splitter reads statements one at a time from an io.Reader, holding in
// memory only the statement being read (plus one read chunk).
type Splitter struct {
	r    io.Reader
	sc   *scanner
	buf  []byte
	eof  bool
	err  error
	done bool
}

const chunk = 64 << 10

// New returns a Splitter reading r.
func New(r io.Reader, opts Options) *Splitter {
	return &Splitter{r: r, sc: newScanner(opts), buf: make([]byte, 0, 2*chunk)}
}

// Next returns the next statement, io.EOF after the last one, or a
// *SyntaxError (unterminated quote or comment, bad DELIMITER, a statement
// over Options.MaxStatementBytes) or the reader's error.
func (s *Splitter) Next() (Statement, error) {
	if s.done {
		if s.err != nil {
			return Statement{}, s.err
		}
		return Statement{}, io.EOF
	}
	for {
		st, res, err := s.sc.scan(s.buf, s.eof)
		if err != nil {
			s.done, s.err = true, err
			return Statement{}, err
		}
		switch res {
		case resStatement:
			return st, nil
		case resDone:
			s.done = true
			return Statement{}, io.EOF
		}
		if err := s.fill(); err != nil {
			s.done, s.err = true, err
			return Statement{}, err
		}
	}
}

// fill drops consumed bytes and reads at least one more chunk (or sets eof).
func (s *Splitter) fill() error {
	if k := s.sc.keep(); k > 0 {
		n := copy(s.buf, s.buf[k:])
		s.buf = s.buf[:n]
		s.sc.shift(k)
	}
	if max := s.sc.opts.MaxStatementBytes; max > 0 && len(s.buf) > max {
		return s.sc.errorf(s.sc.startLine, ErrTooLarge, "statement is larger than %d bytes", max)
	}
	if cap(s.buf)-len(s.buf) < chunk {
		nb := make([]byte, len(s.buf), 2*cap(s.buf)+chunk)
		copy(nb, s.buf)
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if errors.Is(err, io.EOF) {
			s.eof = true
			return nil
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// All reads every remaining statement.
func (s *Splitter) All() ([]Statement, error) {
	var out []Statement
	for {
		st, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
}

// Split splits src. On a *SyntaxError it returns the statements before the
// problem and the error.
func Split(src []byte, opts Options) ([]Statement, error) {
	sc := newScanner(opts)
	var out []Statement
	for {
		st, res, err := sc.scan(src, true)
		if err != nil {
			return out, err
		}
		if res != resStatement {
			return out, nil
		}
		out = append(out, st)
	}
}

// SplitString is Split on a string.
func SplitString(src string, opts Options) ([]Statement, error) {
	return Split([]byte(src), opts)
}
