// Package blocking is the one definition of "a statement blocks writers"
// and of the default gates' limits: rehearse's default gates
// (rehearse/run) judge by it, and the verdict corpus's truth
// (verdicts/verify, which otherwise uses no code of rehearse) is judged by
// it, so the corpus cannot count a statement as blocking under thresholds
// other than the ones a user's rehearsal fails on. It holds constants and
// one pure function, no measurement.
package blocking

import "time"

// The default gates' limits (every rehearsal applies them unless told
// otherwise; docs/report-format.md).
const (
	// WriterStall is max-writer-stall: the longest any writer may wait.
	WriterStall = 5 * time.Second
	// LockWait is max-lock-wait: the longest any lock wait may last.
	LockWait = 30 * time.Second
	// SharePercent is max-stall-share: a statement whose work grows with the
	// table may stall a writer at most this share of its run.
	SharePercent = 50
	// ShareFloor is the shortest writer stall max-stall-share judges:
	// shorter stalls are a busy machine's noise at any scale.
	ShareFloor = 100 * time.Millisecond
)

// GrowsWithTable tells whether a statement's work (and so its stall of
// writers) grows with the table: a table copy, or a change the server makes
// in place only under a shared or exclusive lock. algorithm and lock are
// what the server chose or accepted (INSTANT, NOCOPY, INPLACE, COPY; NONE,
// SHARED, EXCLUSIVE); an INSTANT change holds its lock for a blip at any
// size.
func GrowsWithTable(algorithm, lock string) bool {
	if algorithm == "COPY" {
		return true
	}
	return algorithm != "INSTANT" && (lock == "SHARED" || lock == "EXCLUSIVE")
}

// Blocks tells whether a statement that ran for dur, during which a writer
// waited stall at the longest, blocks writers as the default gates judge
// it: a stall past WriterStall, or, for work that grows with the table, a
// stall of at least ShareFloor and more than SharePercent of its run (a
// gate passes at its limit).
func Blocks(stall, dur time.Duration, algorithm, lock string) bool {
	if stall > WriterStall {
		return true
	}
	return GrowsWithTable(algorithm, lock) && stall >= ShareFloor && dur > 0 && stall*100 > dur*SharePercent
}
