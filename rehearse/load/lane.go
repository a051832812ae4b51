package load

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"time"
)

// lane is one table's share of the load: its own schedule (operation i
// is due at start + i/rate) and its own connections. A worker takes the
// next due operation whenever it is free, so when every connection is
// stuck the due operations wait — and their wait counts in their latency —
// while other tables' lanes go on.
type lane struct {
	g       *Generator
	name    string
	tpls    []int     // template indexes
	cum     []float64 // cumulative weights, for picking
	weight  float64
	rate    float64
	period  float64 // ns between operations
	conns   int
	start   time.Time
	next    atomic.Int64
	workers []*worker
}

func (l *lane) pick(r *rand.Rand) int {
	if len(l.tpls) == 1 {
		return l.tpls[0]
	}
	x := r.Float64() * l.weight
	i := sort.SearchFloat64s(l.cum, x)
	if i >= len(l.tpls) {
		i = len(l.tpls) - 1
	}
	return l.tpls[i]
}

// worker is one connection of a lane.
type worker struct {
	l    *lane
	r    *rand.Rand
	conn *sql.Conn
	// busy is the running operation's scheduled start in ns since the
	// epoch, 0 when idle; tpl its template.
	busy atomic.Int64
	tpl  atomic.Int32
}

func (w *worker) connect(ctx context.Context) error {
	c, err := w.l.g.db.Conn(ctx)
	if err != nil {
		return err
	}
	for _, s := range w.l.g.opts.SessionInit {
		if _, err := c.ExecContext(ctx, s); err != nil {
			c.Close()
			return err
		}
	}
	w.conn = c
	return nil
}

func (w *worker) close() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
}

func (w *worker) current() (time.Time, int, bool) {
	ns := w.busy.Load()
	if ns == 0 {
		return time.Time{}, 0, false
	}
	return time.Unix(0, ns), int(w.tpl.Load()), true
}

// run issues operations until stop is closed or ctx ends.
func (w *worker) run(ctx context.Context, stop <-chan struct{}) {
	defer w.l.g.wg.Done()
	l := w.l
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		var sched time.Time
		if l.g.opts.ClosedLoop {
			sched = time.Now()
		} else {
			i := l.next.Add(1) - 1
			sched = l.start.Add(time.Duration(float64(i) * l.period))
			if d := time.Until(sched); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-stop:
					return
				case <-ctx.Done():
					return
				}
			}
		}
		w.exec(ctx, l.pick(w.r), sched)
	}
}

// exec runs template ti once and records it against its scheduled start.
func (w *worker) exec(ctx context.Context, ti int, sched time.Time) {
	g := w.l.g
	t := &g.tpls[ti]
	args := g.bind(ti, w.r)
	w.tpl.Store(int32(ti))
	w.busy.Store(sched.UnixNano())
	var err error
	if w.conn == nil {
		err = w.connect(ctx)
	}
	if err == nil {
		err = w.do(ctx, t, args)
	}
	end := time.Now()
	w.busy.Store(0)
	c := Classify(err)
	if c == Canceled && ctx.Err() == nil {
		c = Other
	}
	g.rec.record(ti, sched, end, c, err)
	if c == ConnectionLost || c == Canceled {
		w.close() // the driver gives up a connection whose query was cancelled
	}
}

func (w *worker) do(ctx context.Context, t *Template, args []any) error {
	if t.Kind == Read {
		rows, err := w.conn.QueryContext(ctx, t.SQL, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		return err
	}
	res, err := w.conn.ExecContext(ctx, t.SQL, args...)
	if err != nil {
		return err
	}
	switch {
	case t.Kind == Insert && t.insertPool.Columns != "":
		w.l.g.learnKey(t, args, res, w.r)
	case t.Kind == Delete:
		w.l.g.forgetKey(t, args, res)
	}
	return nil
}
