package run

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
)

// pt-osc with a replica: it finds the rehearsal's replica (through the
// DSN table rehearse hands it) and pauses its copy while the replica does
// not keep up. The test stops the replica's applier (SQL thread) when the
// migrate phase starts, keeps it stopped until pt-osc has created its new table and
// two seconds more, then starts it again: pt-osc must have waited for it
// (its reports of a stopped replica, its run at least that long) and the
// replica must have applied the change in the end.
func TestStrategyPTOSCReplicas(t *testing.T) {
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	snap := sourceSnapshot(t, target, 50000)
	set := writeMigrations(t, copyFiles())
	hold := 2 * time.Second
	w := &replicaPause{t: t, addr: make(chan string, 1), migrate: make(chan struct{}), hold: hold}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.run(ctx) }()
	rep := rehearseRun(t, target, snap, set, func(o *Options) {
		o.Strategy = StrategyOptions{Name: StrategyPTOSC, PTOSCArgs: []string{"--chunk-time", "0.1"}}
		o.Replicas = ReplicaOptions{Count: 1}
		o.SkipRollback = true
		o.Log = io.MultiWriter(w, logOut())
		var once sync.Once
		o.Progress = func(phase, _ string) {
			if phase == "migrate" {
				once.Do(func() { close(w.migrate) })
			}
		}
	})
	cancel()
	wg.Wait()
	if w.err != nil {
		t.Fatalf("pausing the replica: %v", w.err)
	}
	s := stmt(t, rep, "3", 1)
	notes := strings.Join(s.StrategyNotes, "\n")
	t.Logf("pt-osc: %s %.3f s; the replica's applier stopped for %.3f s; notes:\n%s\noutput:\n%s", s.Status, s.DurationS, w.stoppedFor.Seconds(), notes, strings.Join(s.ToolOutput, "\n"))
	if s.Status != "ok" || s.Strategy != StrategyPTOSC {
		t.Fatalf("pt-osc: %s %q", s.Status, s.Error)
	}
	if !strings.Contains(s.Tool, "--recursion-method dsn=D=rehearse_replication,t=pt_osc_dsns") {
		t.Errorf("pt-osc ran as %q: want the rehearsal's DSN table", s.Tool)
	}
	if !strings.Contains(notes, "found 1 of the rehearsal's 1 replica") {
		t.Errorf("notes %q: want pt-osc to have found the replica", notes)
	}
	if !regexp.MustCompile(`paused its copy for the replicas: .*[1-9]\d* of a stopped one`).MatchString(notes) {
		t.Errorf("notes %q: want pt-osc's reports of waiting for the stopped replica", notes)
	}
	if secs(s.DurationS) < hold {
		t.Errorf("pt-osc ran %.3f s: it did not wait the %s the replica was held stopped after its new table appeared", s.DurationS, hold)
	}
	if len(s.Replicas) != 1 || s.Replicas[0].NotApplied {
		t.Errorf("the replica's figures %+v: want the change applied on it", s.Replicas)
	}
}

// On MySQL 9.7 pt-osc 3.2.1 finds the replica but cannot read its lag
// (SHOW SLAVE STATUS is gone since 8.4): the statement fails with the
// tool's own error and the notes say why.
func TestStrategyPTOSCReplicasMySQL(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/strategies.sh")
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMySQL()
	testserver.Need(t, target)
	snap := sourceSnapshot(t, target, 5000)
	set := writeMigrations(t, copyFiles())
	rep := rehearseRun(t, target, snap, set, func(o *Options) {
		o.Strategy = StrategyOptions{Name: StrategyPTOSC, PTOSCArgs: []string{"--set-vars", "explain_format=TRADITIONAL,lock_wait_timeout=60"}}
		o.Replicas = ReplicaOptions{Count: 1}
		o.SkipRollback = true
	})
	s := stmt(t, rep, "3", 1)
	notes := strings.Join(s.StrategyNotes, "\n")
	t.Logf("%s: pt-osc %s %q\n%s", rep.Inputs.Version, s.Status, s.Error, notes)
	if s.Status != "failed" || !strings.Contains(s.Error, "SHOW SLAVE STATUS") {
		t.Fatalf("pt-osc on MySQL %s with a replica: %s %q; want its SHOW SLAVE STATUS error", rep.Inputs.Version, s.Status, s.Error)
	}
	if !strings.Contains(notes, "found 1 of the rehearsal's 1 replica") || !strings.Contains(notes, "MySQL 8.4 and newer removed") {
		t.Errorf("notes %q: want the replica found and why pt-osc stopped", notes)
	}
}

func logOut() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}

// replicaPause reads the rehearsal's log for the replica's address, stops
// its applier when the migrate phase starts, waits until pt-osc's new table exists on the primary and
// hold more, and starts the applier again.
type replicaPause struct {
	t          *testing.T
	addr       chan string
	migrate    chan struct{}
	hold       time.Duration
	stoppedFor time.Duration
	err        error
}

var replicaLine = regexp.MustCompile(`replicas: replica-1 \(server_id \d+, ([0-9.]+:\d+)\) replicates`)

func (p *replicaPause) Write(b []byte) (int, error) {
	if m := replicaLine.FindSubmatch(b); m != nil {
		select {
		case p.addr <- string(m[1]):
		default:
		}
	}
	return len(b), nil
}

func (p *replicaPause) run(ctx context.Context) {
	var addr string
	select {
	case addr = <-p.addr:
	case <-ctx.Done():
		p.err = fmt.Errorf("no replica in the log")
		return
	}
	rdb := openRoot(addr)
	defer rdb.Close()
	var host string
	var port int
	rows, err := rdb.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		p.err = err
		return
	}
	cols, _ := rows.Columns()
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			p.err = err
		}
		for i, c := range cols {
			switch c {
			case "Master_Host":
				host = string(vals[i])
			case "Master_Port":
				fmt.Sscan(string(vals[i]), &port)
			}
		}
	}
	rows.Close()
	if p.err != nil || host == "" {
		p.err = fmt.Errorf("the replica's source: %v (%q:%d)", p.err, host, port)
		return
	}
	pdb := openRoot(fmt.Sprintf("%s:%d", host, port))
	defer pdb.Close()
	select {
	case <-p.migrate:
	case <-ctx.Done():
		p.err = fmt.Errorf("the migrate phase never started")
		return
	}
	if _, err := rdb.ExecContext(ctx, "STOP SLAVE SQL_THREAD"); err != nil {
		p.err = err
		return
	}
	stopped := time.Now()
	defer func() {
		_, err := rdb.ExecContext(context.Background(), "START SLAVE SQL_THREAD")
		if err != nil && p.err == nil {
			p.err = err
		}
		p.stoppedFor = time.Since(stopped)
	}()
	for {
		var n int
		if err := pdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = '_investments_new'").Scan(&n); err != nil {
			p.err = err
			return
		}
		if n > 0 {
			break
		}
		select {
		case <-ctx.Done():
			p.err = fmt.Errorf("pt-osc's new table never appeared")
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	select {
	case <-time.After(p.hold):
	case <-ctx.Done():
	}
}

func openRoot(addr string) *sql.DB {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", addr
	c, _ := mysql.NewConnector(cfg)
	return sql.OpenDB(c)
}
