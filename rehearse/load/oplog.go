package load

import (
	"iter"
	"time"
)

// Op is one operation as the generator recorded it.
type Op struct {
	Start    time.Duration // scheduled start, since Result.Started
	Latency  time.Duration // completion − scheduled start (µs resolution)
	Template int           // index into Result.Templates
	Class    Class
}

// End is the operation's completion, since Result.Started.
func (o Op) End() time.Duration { return o.Start + o.Latency }

// opRecord is Op in 16 bytes: 10 minutes at 2,000 ops/s is 19 MB.
type opRecord struct {
	start int64  // ns since start
	latUS uint32 // µs, saturating at ~71 minutes
	tpl   uint16
	class Class
}

func (r opRecord) op() Op {
	return Op{Start: time.Duration(r.start), Latency: time.Duration(r.latUS) * time.Microsecond, Template: int(r.tpl), Class: r.class}
}

const chunkSize = 8192

// opLog stores records in fixed chunks so growth never copies.
type opLog struct {
	chunks [][]opRecord
	n      int
	max    int   // 0 = unlimited
	lost   int64 // records not kept because max was reached
}

func (l *opLog) add(r opRecord) {
	if l.max > 0 && l.n >= l.max {
		l.lost++
		return
	}
	if l.n%chunkSize == 0 {
		l.chunks = append(l.chunks, make([]opRecord, 0, chunkSize))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, r)
	l.n++
}

// all iterates the first n records (n read under the recorder's lock;
// records below n never change, so iterating needs no lock).
func (l *opLog) all(chunks [][]opRecord, n int) iter.Seq[Op] {
	return func(yield func(Op) bool) {
		for i := 0; i < n; i++ {
			if !yield(chunks[i/chunkSize][i%chunkSize].op()) {
				return
			}
		}
	}
}
