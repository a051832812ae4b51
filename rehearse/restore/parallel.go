package restore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// DefaultParallel is how many connections create tables at once. Creating a
// table is bound by the server's file syncs, not its CPU, so a few
// connections restore a thousand-table schema several times faster.
var DefaultParallel = 4

type tableJob struct {
	schema string
	table  *snapshot.Table
}

// createTables creates every base table of the snapshot over up to
// Options.Parallel connections (foreign_key_checks=0 on each, so order does
// not matter). It returns the first error; the other workers stop at their
// next table and are waited for.
func (a *applier) createTables(ctx context.Context, db *sql.DB) error {
	var jobs []tableJob
	for si := range a.snap.Schemas {
		for ti := range a.snap.Schemas[si].Tables {
			jobs = append(jobs, tableJob{a.snap.Schemas[si].Name, &a.snap.Schemas[si].Tables[ti]})
		}
	}
	n := a.opts.Parallel
	if n <= 0 {
		n = DefaultParallel
	}
	if n > len(jobs) {
		n = len(jobs)
	}
	if n <= 1 {
		for _, j := range jobs {
			if err := a.createTable(ctx, a, j); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan tableJob)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				fail(err)
				return
			}
			defer func() {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				conn.Close()
			}()
			wa := &applier{conn: conn, snap: a.snap, opts: a.opts}
			if err := wa.session(ctx); err != nil {
				fail(err)
				return
			}
			for j := range ch {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := a.createTable(ctx, wa, j); err != nil {
					fail(err)
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// createTable creates one table through worker w's connection. MySQL 8+
// locks a foreign key's parent table in its data dictionary, so concurrent
// CREATE TABLEs can deadlock (1213): the loser is retried.
func (a *applier) createTable(ctx context.Context, w *applier, j tableJob) error {
	q, err := createTableSQL(a.target(j.schema), w.remap(j.table.CreateSQL))
	if err != nil {
		return fmt.Errorf("restore table %s.%s: %w", j.schema, j.table.Name, err)
	}
	for attempt := 0; ; attempt++ {
		_, err := w.conn.ExecContext(ctx, q)
		if err == nil || !mysqlkit.Is(err, mysqlkit.ErrLockDeadlock, mysqlkit.ErrLockWaitTimeout) || attempt == 10 {
			if err != nil {
				return w.exec(ctx, "table "+j.schema+"."+j.table.Name, q) // the error with its hint
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
}
