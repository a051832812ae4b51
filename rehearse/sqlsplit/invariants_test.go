package sqlsplit

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// checkInvariants checks what FuzzSplit promises: every statement is an
// exact slice of the input; statements do not overlap; what lies between
// them holds no significant byte (re-splitting it with the delimiter then in
// effect yields nothing); the reader API gives the same answer as Split.
func checkInvariants(t *testing.T, src []byte) {
	t.Helper()
	sts, err := Split(src, Options{})
	var prevEnd int64
	delim := ";"
	for i, s := range sts {
		if s.Offset < prevEnd || s.Offset+int64(len(s.Text)) > int64(len(src)) || s.End < s.Offset+int64(len(s.Text)) || s.End > int64(len(src)) {
			t.Fatalf("statement %d: bad range [%d,%d) end %d (prev end %d, len %d)", i, s.Offset, s.Offset+int64(len(s.Text)), s.End, prevEnd, len(src))
		}
		if string(src[s.Offset:s.Offset+int64(len(s.Text))]) != s.Text {
			t.Fatalf("statement %d: text is not the input's bytes at its offset", i)
		}
		if s.Text == "" || strings.TrimSpace(s.Text) != s.Text {
			t.Fatalf("statement %d: %q not trimmed", i, s.Text)
		}
		if !bytes.HasSuffix(src[s.Offset:s.End], []byte(s.Delimiter)) {
			t.Fatalf("statement %d: does not end with its delimiter %q", i, s.Delimiter)
		}
		if wantLine := 1 + bytes.Count(src[:s.Offset], []byte{'\n'}); s.Line != wantLine {
			t.Fatalf("statement %d: line %d, want %d", i, s.Line, wantLine)
		}
		checkGap(t, src[prevEnd:s.Offset], delim)
		if s.Delimiter != "" {
			delim = s.Delimiter
		}
		prevEnd = s.End
	}
	if err == nil {
		checkGap(t, src[prevEnd:], delim)
	}
	got, rerr := New(iotest.OneByteReader(bytes.NewReader(src)), Options{}).All()
	if (err == nil) != (rerr == nil) || (err != nil && err.Error() != rerr.Error()) {
		t.Fatalf("reader error %v, Split error %v", rerr, err)
	}
	if len(got) != len(sts) {
		t.Fatalf("reader gave %d statements, Split %d", len(got), len(sts))
	}
	for i := range got {
		if got[i] != sts[i] {
			t.Fatalf("reader statement %d = %+v, Split %+v", i, got[i], sts[i])
		}
	}
}

func checkGap(t *testing.T, gap []byte, delim string) {
	t.Helper()
	sts, err := Split(gap, Options{Delimiter: delim})
	if err != nil && !errors.Is(err, ErrDelimiter) {
		t.Fatalf("gap %q: %v", gap, err)
	}
	if len(sts) > 0 {
		t.Fatalf("gap %q holds a significant statement %q", gap, sts[0].Text)
	}
}
