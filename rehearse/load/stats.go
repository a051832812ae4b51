package load

import (
	"encoding/json"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ClassCounts counts operations by Class (index = Class).
type ClassCounts [numClasses]int64

// Errors is the number of operations that did not succeed (canceled ones
// excluded).
func (c ClassCounts) Errors() int64 {
	var n int64
	for cl := LockWait; cl < Canceled; cl++ {
		n += c[cl]
	}
	return n
}

// Map returns the non-zero error counts by class name (lock_wait_timeout,
// deadlock, schema_mismatch, connection, other, canceled), the report's keys.
func (c ClassCounts) Map() map[string]int64 {
	m := map[string]int64{}
	for cl := LockWait; cl < numClasses; cl++ {
		if c[cl] > 0 {
			m[cl.String()] = c[cl]
		}
	}
	return m
}

// MarshalJSON writes the non-zero error classes as an object.
func (c ClassCounts) MarshalJSON() ([]byte, error) { return json.Marshal(c.Map()) }

// Stats describe the operations of a span: how many completed, how fast,
// and their latencies measured from each operation's scheduled start.
// Failed and canceled operations count in the latencies too: a write that
// waited 50 s for a lock and then failed with 1205 is a 50 s stall.
type Stats struct {
	Ops        int64         `json:"ops"`
	Throughput float64       `json:"throughput"` // completed ops/s over the span
	P50        time.Duration `json:"p50"`
	P99        time.Duration `json:"p99"`
	Max        time.Duration `json:"max"`
	Classes    ClassCounts   `json:"errors"`
}

// Histogram range: 1 µs to one hour at 3 significant digits.
const (
	histMin   = 1
	histMax   = int64(time.Hour / time.Microsecond)
	histSigFi = 3
)

func newHist() *hdr.Histogram { return hdr.New(histMin, histMax, histSigFi) }

func recordHist(h *hdr.Histogram, lat time.Duration) {
	us := int64(lat / time.Microsecond)
	if us < histMin {
		us = histMin
	}
	if us > histMax {
		us = histMax
	}
	_ = h.RecordValue(us)
}

// statsOf summarises a histogram and counts over span.
func statsOf(h *hdr.Histogram, c ClassCounts, span time.Duration) Stats {
	s := Stats{Ops: h.TotalCount(), Classes: c}
	if span > 0 {
		s.Throughput = float64(s.Ops) / span.Seconds()
	}
	if s.Ops > 0 {
		s.P50 = time.Duration(h.ValueAtQuantile(50)) * time.Microsecond
		s.P99 = time.Duration(h.ValueAtQuantile(99)) * time.Microsecond
		s.Max = time.Duration(h.Max()) * time.Microsecond
	}
	return s
}

// Interval is one step (Options.Interval) of the run: the operations that
// completed in it.
type Interval struct {
	Start  time.Duration `json:"start"` // since Result.Started
	Writes Stats         `json:"writes"`
	Reads  Stats         `json:"reads"`
}
