package datagen

import (
	"context"
	"io"
	"sync/atomic"
)

// loadCol is one column of the load list.
type loadCol struct {
	idx    int  // index in tablePlan.cols
	safe   bool // values never need escaping
	binary bool // INSERT: write as X'..'
	quote  bool // INSERT: write quoted
	expr   string
}

func (p *tablePlan) loadCols() []loadCol {
	var out []loadCol
	for i, cp := range p.cols {
		if cp.role == roleSkip {
			continue
		}
		lc := loadCol{idx: i, expr: cp.expr}
		switch cp.t.kind {
		case kInt, kDecimal, kFloat, kYear, kBit:
			lc.safe = true
		case kDate, kDatetime, kTimestamp, kTime:
			lc.safe, lc.quote = true, true
		case kBinary:
			lc.binary = true
		default:
			lc.quote = true
		}
		switch {
		case cp.role == roleFK || cp.role == roleDigit && cp.fk != nil:
			lc.safe = false // the parent's value: escape whatever it is
		case cp.lits != nil:
			lc.safe = false // the release's literals: escape them
		case cp.dom != nil:
			lc.safe = cp.dom.safe()
		}
		out = append(out, lc)
	}
	return out
}

// rowReader streams rows [next, end) of a table in LOAD DATA's default text
// format (tab-separated, backslash escapes, \N for NULL). It holds a few
// buffers of rows, never the table.
//
// When pipelined, a producer goroutine generates the next chunks while the
// driver is still writing earlier ones to the server (generation overlaps
// the network wait instead of following it). Close stops the producer and
// waits for it; the driver calls Close when the LOAD DATA request ends.
type rowReader struct {
	ctx     context.Context
	in      *tableInst
	cols    []loadCol
	next    uint64
	end     uint64
	buf     []byte
	off     int
	scratch []byte
	sent    *atomic.Int64

	pipelined bool
	full      chan []byte // chunks ready to send, in row order
	free      chan []byte // chunks sent, for reuse
	stop      chan struct{}
	done      chan struct{}
	err       error // producer's error, read after done
}

const (
	readerChunk    = 64 << 10
	pipelineChunks = 4
)

func (r *rowReader) Read(p []byte) (int, error) {
	if r.off >= len(r.buf) {
		if err := r.ctx.Err(); err != nil {
			return 0, err
		}
		if r.pipelined {
			if r.full == nil {
				r.startProducer()
			}
			if r.buf != nil {
				r.free <- r.buf[:0]
			}
			chunk, ok := <-r.full
			if !ok {
				r.buf = nil
				<-r.done
				if r.err != nil {
					return 0, r.err
				}
				return 0, io.EOF
			}
			r.buf, r.off = chunk, 0
		} else {
			if r.next >= r.end {
				return 0, io.EOF
			}
			r.buf, r.off = r.fill(r.buf[:0]), 0
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// fill generates about one chunk of rows into dst.
func (r *rowReader) fill(dst []byte) []byte {
	start := r.next
	for len(dst) < readerChunk && r.next < r.end {
		dst = r.appendRow(dst, r.next)
		r.next++
	}
	if r.sent != nil {
		r.sent.Add(int64(r.next - start))
	}
	return dst
}

func (r *rowReader) startProducer() {
	r.full = make(chan []byte, pipelineChunks)
	r.free = make(chan []byte, pipelineChunks+2)
	r.stop = make(chan struct{})
	r.done = make(chan struct{})
	for i := 0; i < pipelineChunks; i++ {
		r.free <- make([]byte, 0, readerChunk+8<<10)
	}
	// The goroutine works on its own copies of the channels: Close clears
	// r.stop after closing it, and a select on a nil channel blocks forever.
	full, free, stop, done := r.full, r.free, r.stop, r.done
	go func() {
		defer close(done)
		defer close(full)
		for r.next < r.end {
			var b []byte
			select {
			case b = <-free:
			case <-stop:
				return
			case <-r.ctx.Done():
				r.err = r.ctx.Err()
				return
			}
			b = r.fill(b)
			select {
			case full <- b:
			case <-stop:
				return
			case <-r.ctx.Done():
				r.err = r.ctx.Err()
				return
			}
		}
	}()
}

// Close stops the producer (if any) and waits for it.
func (r *rowReader) Close() error {
	if r.pipelined && r.full != nil && r.stop != nil {
		close(r.stop)
		r.stop = nil
		<-r.done
	}
	return nil
}

func (r *rowReader) appendRow(dst []byte, i uint64) []byte {
	for ci, lc := range r.cols {
		if ci > 0 {
			dst = append(dst, '\t')
		}
		start := len(dst)
		var null bool
		dst, null = r.in.gens[lc.idx].gen(dst, i)
		if null {
			dst = append(dst[:start], '\\', 'N')
			continue
		}
		if !lc.safe && needsEscape(dst[start:]) {
			r.scratch = append(r.scratch[:0], dst[start:]...)
			dst = appendEscaped(dst[:start], r.scratch)
		}
	}
	return append(dst, '\n')
}

func needsEscape(b []byte) bool {
	for _, c := range b {
		switch c {
		case '\\', '\t', '\n', '\r', 0:
			return true
		}
	}
	return false
}

func appendEscaped(dst, v []byte) []byte {
	for _, c := range v {
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0:
			dst = append(dst, '\\', '0')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendInsertRow renders row i as an SQL tuple "(...)" for the INSERT path.
func (r *rowReader) appendInsertRow(dst []byte, i uint64) []byte {
	dst = append(dst, '(')
	for ci, lc := range r.cols {
		if ci > 0 {
			dst = append(dst, ',')
		}
		r.scratch = r.scratch[:0]
		var null bool
		r.scratch, null = r.in.gens[lc.idx].gen(r.scratch, i)
		if null {
			dst = append(dst, "NULL"...)
			continue
		}
		pre, post := splitExpr(lc.expr)
		dst = append(dst, pre...)
		switch {
		case lc.binary:
			dst = append(dst, "X'"...)
			for _, c := range r.scratch {
				dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
			}
			dst = append(dst, '\'')
		case lc.quote || !lc.safe:
			dst = append(dst, '\'')
			dst = appendSQLEscaped(dst, r.scratch)
			dst = append(dst, '\'')
		default:
			dst = append(dst, r.scratch...)
		}
		dst = append(dst, post...)
	}
	return append(dst, ')')
}

func splitExpr(expr string) (string, string) {
	if expr == "" {
		return "", ""
	}
	for i := 0; i < len(expr); i++ {
		if expr[i] == '?' {
			return expr[:i], expr[i+1:]
		}
	}
	return "", ""
}

// appendSQLEscaped escapes a string literal's body (works with and without
// NO_BACKSLASH_ESCAPES for the characters we double).
func appendSQLEscaped(dst, v []byte) []byte {
	for _, c := range v {
		switch c {
		case '\'':
			dst = append(dst, '\'', '\'')
		case '\\':
			dst = append(dst, '\\', '\\')
		case 0:
			dst = append(dst, '\\', '0')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
