package load

import (
	"time"

	"github.com/rehearse/rehearse/rehearse/datagen"
)

// Options tune a Generator. The zero value of every field has a default.
type Options struct {
	// Rate is the target in ops/s over all templates. 0 takes
	// Profile.Rate; one of the two must be positive unless ClosedLoop.
	Rate float64
	// ClosedLoop ignores the rate: every connection runs operations back
	// to back. Only for capacity measurements (no latency meaning).
	ClosedLoop bool
	// Interval is the step of the per-interval summaries (100 ms).
	Interval time.Duration
	// ConnsPerTable is the number of connections of each table's lane.
	// 0 sizes it from the lane's rate: enough that operations of up to
	// 20 ms do not hold up the schedule (2..32).
	ConnsPerTable int
	// KeyPoolSize bounds the existing keys kept per table (10,000).
	KeyPoolSize int
	// MaxOps bounds the op log (0 = keep every operation, 16 bytes each).
	MaxOps int
	// DrainTimeout is how long Stop lets running operations finish before
	// cancelling them (2 s). Cancelled ones are recorded as Canceled.
	DrainTimeout time.Duration
	// SessionInit runs on every load connection before the schedule starts
	// (e.g. "SET SESSION innodb_lock_wait_timeout = 50").
	SessionInit []string
	// Seed makes template choice reproducible (0 = 1); with no Data it is
	// also the seed of the values.
	Seed uint64
	// Data is the model the tables were generated from (datagen's
	// Result.Model): inserts write that model's rows past the generated
	// ones (valid values, unique keys that collide with no row, foreign
	// keys naming generated parents, the snapshot's statistics), and
	// updates set columns to such a row's values. A table it lacks (or
	// every table, when nil) is planned from its pre-release definition
	// with its current row count as the generated one (datagen.NewModel),
	// and its foreign keys reference the keys its parents hold.
	Data *datagen.Model
	// OnInsert, when set, is called after each insert the server
	// acknowledged whose key the generator knows (an auto-increment id,
	// or the new row's unique key): the table, the key's columns and
	// values, and when the insert returned. It must return quickly (a
	// replica reader's stale-read check keeps the newest ones).
	OnInsert func(schema, table string, columns []string, key []any, acked time.Time)
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 100 * time.Millisecond
	}
	if o.KeyPoolSize <= 0 {
		o.KeyPoolSize = 10000
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 2 * time.Second
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// connsFor sizes a lane so that it keeps its schedule while operations
// take up to 20 ms (a loaded server, a starved client): rate × 20 ms
// connections busy at once, plus 2 spare (one stalled operation must not
// stop the lane), at most 32.
func connsFor(rate float64) int {
	n := int(rate/50) + 2
	if n > 32 {
		n = 32
	}
	return n
}
