package locks

import "time"

// Kind is what a session waited for.
type Kind string

const (
	MetadataLock Kind = "metadata" // a table metadata lock (DDL, LOCK TABLES, FLUSH)
	RowLock      Kind = "row"      // an InnoDB row lock
)

// Wait is one session's continuous wait for one lock, as the samples saw
// it. Start and End come from the server's statement clock where it tells
// (the waiting statement's start; its end, or the end of the blocker's
// statement that released the lock), clamped to what the samples allow;
// otherwise they are midpoints between the last sample without the wait and
// the first with it (and the last with it and the first without), within
// half a sampling gap of the truth.
type Wait struct {
	ConnID    int64     `json:"conn_id"`   // processlist id of the waiting session
	Statement string    `json:"statement"` // its statement (truncated)
	Schema    string    `json:"schema"`
	Table     string    `json:"table"` // "" when the source cannot tell (processlist fallback)
	Kind      Kind      `json:"kind"`
	LockType  string    `json:"lock_type"` // EXCLUSIVE, SHARED_WRITE, ...; "ROW" for row locks
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// Open is set when the session was still waiting when the monitor
	// stopped; End is then the stop time.
	Open     bool      `json:"open,omitempty"`
	Samples  int       `json:"samples"`
	Blockers []Blocker `json:"blockers,omitempty"`
	Source   string    `json:"source"`
}

// Duration is End − Start.
func (w Wait) Duration() time.Duration { return w.End.Sub(w.Start) }

// Write reports whether the waiter is a writer (a DML write lock or a row
// lock).
func (w Wait) Write() bool { return IsWriteLock(w.LockType) }

// BlockedBy reports whether session id blocked this wait in some sample.
func (w Wait) BlockedBy(id int64) bool {
	for _, b := range w.Blockers {
		if b.ConnID == id {
			return true
		}
	}
	return false
}

// Blocker is a session that held (Granted) or had requested earlier
// (queued ahead, not Granted) a lock conflicting with the wait.
type Blocker struct {
	ConnID    int64  `json:"conn_id"`
	LockType  string `json:"lock_type"`
	Granted   bool   `json:"granted"`
	Statement string `json:"statement,omitempty"` // "" for an idle session in a transaction
	Samples   int    `json:"samples"`             // samples in which it blocked
}
