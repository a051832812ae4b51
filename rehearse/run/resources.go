package run

// Per-statement resource measurements (capacity issue): while a migration
// statement runs, a sampler on its own connection reads every
// ResourceInterval the extra disk the server uses, the undo history and the
// online-DDL row log; before and after it reads the redo LSN and the
// buffer-pool misses. The capacity check fits these against table size.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/result"
)

// ResourceInterval is how often disk, history and row log are sampled while
// a statement runs (a package var so tests can change it).
var ResourceInterval = 20 * time.Millisecond

// resSample is one reading. ok flags say which figures the server gave.
type resSample struct {
	disk, lsn, history, poolReads, rowlogRows, rowlogPct int64
	diskOK, lsnOK, historyOK, poolOK, rowlogOK           bool
}

// resourceSampler measures one statement. A nil sampler (no server yet) is
// valid: stop returns nil.
type resourceSampler struct {
	srv     *engine.Server
	conn    *sql.Conn
	logMax  int64 // innodb_online_alter_log_max_size, to turn the row log's percentage into bytes
	pool    int64 // innodb_buffer_pool_size
	before  resSample
	peak    resSample
	samples int
	missing map[string]string
	mu      sync.Mutex
	quit    chan struct{} // closed by stop: the sampler finishes its reading and exits
	done    chan struct{}
}

// startResources takes the "before" reading and starts sampling. It never
// fails the rehearsal: what cannot be read is listed as missing.
func (r *rehearsal) startResources(ctx context.Context) *resourceSampler {
	if r.srv == nil || r.db == nil {
		return nil
	}
	s := &resourceSampler{srv: r.srv, missing: map[string]string{}, quit: make(chan struct{}), done: make(chan struct{})}
	conn, err := r.db.Conn(ctx)
	if err != nil {
		s.missing["all"] = err.Error()
		close(s.done)
		return s
	}
	s.conn = conn
	_ = conn.QueryRowContext(ctx, "SELECT @@innodb_online_alter_log_max_size, @@innodb_buffer_pool_size").Scan(&s.logMax, &s.pool)
	s.before = s.read(ctx, true)
	s.peak = s.before
	// Not a cancelled context to stop: cancelling a query in flight makes
	// the driver drop the connection the "after" reading needs.
	go func() {
		defer close(s.done)
		t := time.NewTicker(ResourceInterval)
		defer t.Stop()
		for {
			select {
			case <-s.quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				smp := s.read(ctx, false)
				s.mu.Lock()
				s.add(smp)
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// stop takes the "after" reading and returns the statement's figures.
func (s *resourceSampler) stop() *result.Resources {
	if s == nil {
		return nil
	}
	close(s.quit)
	<-s.done
	out := &result.Resources{}
	if s.conn == nil {
		out.Missing = []string{"no connection for the resource sampler: " + s.missing["all"]}
		return out
	}
	defer s.conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	after := s.read(ctx, true)
	s.add(after)
	b, p := s.before, s.peak
	out.Samples = s.samples
	out.BufferPool = s.pool
	out.DiskSource = "tablespaces"
	if s.srv.Datadir != "" {
		out.DiskSource = "host-files"
	}
	if b.diskOK && after.diskOK {
		out.DiskBefore = b.disk
		out.DiskPeak = max(p.disk-b.disk, 0)
		out.DiskAfter = after.disk - b.disk
	}
	if b.lsnOK && after.lsnOK {
		out.LogBytes = max(after.lsn-b.lsn, 0)
	}
	if b.poolOK && after.poolOK {
		out.PagesRead = max(after.poolReads-b.poolReads, 0)
	}
	if b.historyOK {
		out.HistoryGrowth = max(p.history-b.history, 0)
	}
	if p.rowlogOK && b.rowlogOK {
		// Rows count up for the server's life; the percentage is the
		// current log's, in units of 0.01% of the limit.
		out.OnlineLogRows = max(p.rowlogRows-b.rowlogRows, 0)
		out.OnlineLogBytes = p.rowlogPct * s.logMax / 10000
	}
	for _, k := range sortedKeys(s.missing) {
		out.Missing = append(out.Missing, k+": "+s.missing[k])
	}
	return out
}

// add folds a reading into the peaks.
func (s *resourceSampler) add(x resSample) {
	s.samples++
	if x.diskOK && x.disk > s.peak.disk {
		s.peak.disk, s.peak.diskOK = x.disk, true
	}
	if x.historyOK && x.history > s.peak.history {
		s.peak.history, s.peak.historyOK = x.history, true
	}
	if x.rowlogOK {
		s.peak.rowlogOK = true
		s.peak.rowlogRows = max(s.peak.rowlogRows, x.rowlogRows)
		s.peak.rowlogPct = max(s.peak.rowlogPct, x.rowlogPct)
	}
}

func (s *resourceSampler) miss(what string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	s.mu.Lock()
	if _, ok := s.missing[what]; !ok {
		s.missing[what] = err.Error()
	}
	s.mu.Unlock()
}

// read takes one reading; full adds the before/after-only figures (redo,
// buffer-pool misses).
func (s *resourceSampler) read(ctx context.Context, full bool) resSample {
	var x resSample
	var err error
	if s.srv.Datadir != "" {
		x.disk, err = hostDisk(s.srv.Datadir, s.srv.Tmpdir, s.srv.PID)
	} else {
		x.disk, err = tablespaceDisk(ctx, s.conn, s.srv.Flavor)
	}
	x.diskOK = err == nil
	s.miss("disk", err)

	st, err := mysqlkit.GlobalStatus(ctx, s.conn, "Innodb_history_list_length", "Innodb_onlineddl_rowlog_rows",
		"Innodb_onlineddl_rowlog_pct_used", "Innodb_buffer_pool_reads", "Innodb_lsn_current", "Innodb_redo_log_current_lsn")
	s.miss("status", err)
	if v, ok := st["innodb_history_list_length"]; ok {
		x.history, x.historyOK = v, true
	} else if err == nil {
		// MySQL has no status variable for it; INNODB_METRICS has.
		err := s.conn.QueryRowContext(ctx, "SELECT `COUNT` FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'").Scan(&x.history)
		x.historyOK = err == nil
		s.miss("history", err)
	}
	if v, ok := st["innodb_onlineddl_rowlog_rows"]; ok {
		x.rowlogRows, x.rowlogPct, x.rowlogOK = v, st["innodb_onlineddl_rowlog_pct_used"], true
	}
	if !full {
		return x
	}
	if v, ok := st["innodb_buffer_pool_reads"]; ok {
		x.poolReads, x.poolOK = v, true
	}
	switch {
	case hasKey(st, "innodb_lsn_current"):
		x.lsn, x.lsnOK = st["innodb_lsn_current"], true
	case hasKey(st, "innodb_redo_log_current_lsn"):
		x.lsn, x.lsnOK = st["innodb_redo_log_current_lsn"], true
	case err == nil:
		x.lsn, err = statusLSN(ctx, s.conn)
		x.lsnOK = err == nil
		s.miss("redo", err)
	}
	return x
}

func hasKey(m map[string]int64, k string) bool { _, ok := m[k]; return ok }

var lsnRe = regexp.MustCompile(`Log sequence number\s+(\d+)`)

// statusLSN reads the LSN from SHOW ENGINE INNODB STATUS (MySQL before
// 8.0.30 has no status variable for it).
func statusLSN(ctx context.Context, conn *sql.Conn) (int64, error) {
	var typ, name, status string
	if err := conn.QueryRowContext(ctx, "SHOW ENGINE INNODB STATUS").Scan(&typ, &name, &status); err != nil {
		return 0, err
	}
	m := lsnRe.FindStringSubmatch(status)
	if m == nil {
		return 0, errors.New("no \"Log sequence number\" in SHOW ENGINE INNODB STATUS")
	}
	return strconv.ParseInt(m[1], 10, 64)
}

// tablespaceDisk sums InnoDB's tablespace file sizes (the #sql- copy of a
// rebuild included; tmpdir sort files are not).
func tablespaceDisk(ctx context.Context, conn *sql.Conn, f engine.Flavor) (int64, error) {
	table := "INNODB_TABLESPACES"
	if f == engine.MariaDB {
		table = "INNODB_SYS_TABLESPACES"
	}
	var n sql.NullInt64
	err := conn.QueryRowContext(ctx, "SELECT SUM(FILE_SIZE) FROM information_schema."+table).Scan(&n)
	return n.Int64, err
}

// hostDisk sums the sizes of the regular files under datadir and tmpdir and
// of the files under them that the server process holds open (the unlinked
// sort files and online-DDL logs an index build writes), each file once.
func hostDisk(datadir, tmpdir string, pid int) (int64, error) {
	type key struct{ dev, ino uint64 }
	seen := map[key]bool{}
	var total int64
	addInfo := func(fi os.FileInfo) {
		if !fi.Mode().IsRegular() {
			return
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			k := key{uint64(st.Dev), st.Ino}
			if seen[k] {
				return
			}
			seen[k] = true
		}
		total += fi.Size()
	}
	for _, dir := range []string{datadir, tmpdir} {
		if dir == "" {
			continue
		}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a file removed while walking (a #sql- copy renamed away)
			}
			if d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					addInfo(fi)
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	if pid <= 0 {
		return total, nil
	}
	fdDir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(fdDir)
	if err != nil {
		return total, nil // not readable here: the folder walk is what we have
	}
	for _, e := range ents {
		link, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err != nil {
			continue
		}
		link = strings.TrimSuffix(link, " (deleted)")
		if !under(link, datadir) && !under(link, tmpdir) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(fdDir, e.Name())); err == nil {
			addInfo(fi)
		}
	}
	return total, nil
}

// under reports whether path p is inside dir. Inside a chroot the link shows
// the path the server sees, so dir's last two elements are matched too.
func under(p, dir string) bool {
	if dir == "" {
		return false
	}
	dir = filepath.Clean(dir)
	if strings.HasPrefix(p, dir+"/") {
		return true
	}
	tail := string(filepath.Separator) + filepath.Join(filepath.Base(filepath.Dir(dir)), filepath.Base(dir)) + "/"
	return strings.Contains(p, tail)
}

// fillResources copies a statement's resource figures into the report and
// counts the load's writes per table while it ran.
func (r *rehearsal) fillResources(s *result.Statement, run *stmtRun, lr *load.Result) {
	if run.usage == nil {
		return
	}
	u := *run.usage
	if lr != nil {
		w := lr.Window(run.res.Start, run.res.End)
		for _, ts := range w.Templates {
			if ts.Template >= len(lr.Templates) {
				continue
			}
			t := lr.Templates[ts.Template]
			if !t.Kind.Write() {
				continue
			}
			if u.TableWrites == nil {
				u.TableWrites = map[string]result.WriteCounts{}
			}
			k := t.Schema + "." + t.Table
			c := u.TableWrites[k]
			switch t.Kind {
			case load.Insert:
				c.Inserts += ts.Ops
			case load.Update:
				c.Updates += ts.Ops
			default:
				c.Deletes += ts.Ops
			}
			u.TableWrites[k] = c
		}
	}
	s.Resources = &u
	s.TempBytes = u.DiskPeak
}

// generatedRows lists the rows each table holds after generation.
func generatedRows(res datagen.Result) map[string]int64 {
	out := map[string]int64{}
	for _, t := range res.Tables {
		out[t.Schema+"."+t.Table] = t.Rows
	}
	return out
}
