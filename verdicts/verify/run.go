package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rehearse/rehearse/rehearse/blocking"
)

// stmtObs is what the server did with one statement.
type stmtObs struct {
	At        string // VERSION#N, or VERSION when the migration was sent whole
	SQL       string
	Code      int // 0: applied
	Msg       string
	Dur       time.Duration
	Rows      int64
	Start     time.Time
	Algorithm string   // the best ALGORITHM the server accepted ("" for no DDL of that kind)
	Lock      string   // the weakest LOCK it accepted with it
	Ladder    []string // every probe and its answer
	Blocks    bool
	Ops       int           // writer operations in flight during the statement
	Longest   time.Duration // the longest of them
}

// observed is a case's truth on one server.
type observed struct {
	server, date string
	stmts        []stmtObs
	rbOrder      []string
	rollback     map[string]string
	rbDetail     map[string]string
	app          string // compatible | breaks | "" (not checked: a migration failed)
	appDetail    []string
}

var (
	alterTable  = regexp.MustCompile(`(?is)^\s*ALTER\s+(ONLINE\s+|IGNORE\s+)*TABLE\b`)
	indexStmt   = regexp.MustCompile(`(?is)^\s*(CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX)\b`)
	prepareFrom = regexp.MustCompile(`(?is)^\s*PREPARE\s+(\w+)\s+FROM\s+(@\w+)\s*;?\s*$`)
	executeStmt = regexp.MustCompile(`(?is)^\s*EXECUTE\s+(\w+)\s*;?\s*$`)
	ownClauses  = regexp.MustCompile(`(?i)\s*,?\s*\b(ALGORITHM|LOCK)\s*=?\s*(DEFAULT|INSTANT|NOCOPY|INPLACE|COPY|NONE|SHARED|EXCLUSIVE)\b`)
	leadComment = regexp.MustCompile(`(?s)^(\s*(--[^\n]*\n|#[^\n]*\n|/\*.*?\*/))*\s*`)
)

// ladder lists ALGORITHM/LOCK clauses from the best to the worst; the first
// the server accepts is how it runs the statement by default.
func ladder(flavor string) [][2]string {
	l := [][2]string{{"INSTANT", ""}}
	if flavor == "mariadb" {
		l = append(l, [2]string{"NOCOPY", "NONE"}, [2]string{"NOCOPY", "SHARED"})
	}
	return append(l, [2]string{"INPLACE", "NONE"}, [2]string{"INPLACE", "SHARED"}, [2]string{"INPLACE", "EXCLUSIVE"},
		[2]string{"COPY", "NONE"}, [2]string{"COPY", "SHARED"}, [2]string{"COPY", "EXCLUSIVE"})
}

// withClause appends ALGORITHM/LOCK to a statement the way its syntax takes
// them: after a comma in ALTER TABLE, after a space in CREATE/DROP INDEX.
func withClause(s string, alg, lock string) string {
	sep := " "
	if alterTable.MatchString(s) {
		sep = ", "
	}
	c := "ALGORITHM=" + alg
	if lock != "" {
		c += sep + "LOCK=" + lock
	}
	return s + sep + c
}

func (v *verifier) run(ctx context.Context) (*observed, error) {
	root, err := v.open("")
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var version string
	if err := root.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return nil, err
	}
	v.flavor = "mysql"
	if strings.Contains(strings.ToLower(version), "mariadb") {
		v.flavor = "mariadb"
	}
	v.version = version
	if i := strings.IndexAny(version, "-+"); i > 0 {
		v.version = version[:i]
	}
	obs := &observed{server: v.flavor + " " + v.version, date: time.Now().UTC().Format("2006-01-02"),
		rollback: map[string]string{}, rbDetail: map[string]string{}}
	v.logf("# %s on %s (%s), %s", v.c.Name, obs.server, version, time.Now().UTC().Format(time.RFC3339))
	name := v.c.Database()
	for _, db := range []string{name, name + "_probe"} {
		for _, q := range []string{"DROP DATABASE IF EXISTS `" + db + "`", "CREATE DATABASE `" + db + "`"} {
			if _, err := root.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("%s: %w", q, err)
			}
		}
	}
	if v.main, err = v.open(name); err != nil {
		return nil, err
	}
	defer v.main.Close()
	if v.probe, err = v.open(name + "_probe"); err != nil {
		return nil, err
	}
	// One session for the twin: a PREPARE, the user variable it reads and
	// the EXECUTE must meet on the same connection.
	v.probe.SetMaxOpenConns(1)
	defer v.probe.Close()
	for _, s := range v.rel.Setup {
		for _, db := range []*sql.DB{v.main, v.probe} {
			t := time.Now()
			if _, err := db.ExecContext(ctx, s.SQL); err != nil {
				return nil, fmt.Errorf("setup %s: %w", s.Name, err)
			}
			v.logf("setup %s: ok in %s", s.Name, since(t))
		}
	}
	migs, err := readMigrations(v.rel.Migrations, v.c.Format, v.c.Pattern)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*migration{}
	for k, m := range migs {
		byKey[strings.TrimLeft(k, "0")] = m
	}
	var pending []*migration
	for _, p := range v.rel.Pending {
		m := byKey[strings.TrimLeft(p, "0")]
		if m == nil {
			return nil, fmt.Errorf("pending migration %s is not in %s (%s)", p, v.rel.Migrations, v.c.Format)
		}
		pending = append(pending, m)
	}
	pre, err := v.state(ctx, nil)
	if err != nil {
		return nil, err
	}
	before := map[string]*state{}
	after := map[string]*state{}

	w := v.startWriters(ctx)
	var applied []*migration
	var failed *migration
	cur := pre
	for i, m := range pending {
		v.inject(ctx, m.Version, i == 0)
		before[m.Version] = cur
		obsM, ok, err := v.applyUp(ctx, m)
		if err != nil {
			w.stop()
			return nil, err
		}
		obs.stmts = append(obs.stmts, obsM...)
		if cur, err = v.state(ctx, pre); err != nil {
			w.stop()
			return nil, err
		}
		after[m.Version] = cur
		if !ok {
			failed = m
			break
		}
		applied = append(applied, m)
	}
	ops := w.stop()
	v.waitInjections()
	for i := range obs.stmts {
		judgeBlocking(&obs.stmts[i], ops)
	}

	if failed == nil {
		obs.app = "compatible"
		for _, q := range v.c.App {
			code, msg := v.appStatement(ctx, q, w.next())
			res := "ok"
			if code != 0 {
				obs.app = "breaks"
				res = fmt.Sprintf("error %d: %s", code, msg)
				obs.appDetail = append(obs.appDetail, fmt.Sprintf("%s -> %d", short(q, 60), code))
			}
			v.logf("app: %s: %s", short(q, 100), res)
		}
	}

	order := []*migration{}
	if failed != nil {
		order = append(order, failed)
	}
	for i := len(applied) - 1; i >= 0; i-- {
		order = append(order, applied[i])
	}
	for _, m := range order {
		verdict, detail, stop, err := v.down(ctx, m, m == failed, before[m.Version], after[m.Version], pre)
		if err != nil {
			return nil, err
		}
		obs.rbOrder = append(obs.rbOrder, m.Version)
		obs.rollback[m.Version], obs.rbDetail[m.Version] = verdict, detail
		v.logf("rollback %s: %s (%s)", m.Version, verdict, detail)
		if stop {
			break
		}
	}
	return obs, nil
}

// applyUp runs m's up on production (verbatim, writers running) and on the
// twin (each DDL up the ladder). It returns false when a statement failed.
func (v *verifier) applyUp(ctx context.Context, m *migration) ([]stmtObs, bool, error) {
	var out []stmtObs
	if routine.MatchString(m.Up) {
		// A routine body without DELIMITER: the runner sends the file
		// whole, and so does the verifier; the truth is the migration's.
		o := stmtObs{At: m.Version, SQL: short(m.Up, 60)}
		if _, err := v.probe.ExecContext(ctx, m.Up); err != nil {
			v.logf("probe %s (whole): %v", m.Version, err)
		}
		v.execMain(ctx, m.Up, &o)
		return append(out, o), o.Code == 0, nil
	}
	for i, s := range split(m.Up) {
		o := stmtObs{At: fmt.Sprintf("%s#%d", m.Version, i+1), SQL: s.SQL}
		v.probeLadder(ctx, s.SQL, &o)
		v.execMain(ctx, s.SQL, &o)
		out = append(out, o)
		if o.Code != 0 {
			return out, false, nil
		}
	}
	return out, true, nil
}

// execMain runs a statement verbatim on production.
func (v *verifier) execMain(ctx context.Context, q string, o *stmtObs) {
	conn, err := v.main.Conn(ctx)
	if err != nil {
		o.Code, o.Msg = -1, err.Error()
		return
	}
	defer conn.Close()
	o.Start = time.Now()
	res, err := conn.ExecContext(ctx, q)
	o.Dur = time.Since(o.Start)
	o.Code = errCode(err)
	if err != nil {
		o.Msg = err.Error()
	} else if n, e := res.RowsAffected(); e == nil {
		o.Rows = n
	}
	v.logf("main  %s: %s\n      -> %s in %.3f s, %d rows", o.At, short(q, 200), codeText(o.Code, o.Msg), o.Dur.Seconds(), o.Rows)
}

func codeText(code int, msg string) string {
	if code == 0 {
		return "ok"
	}
	return fmt.Sprintf("ERROR %d: %s", code, msg)
}

// probeLadder asks the twin which ALGORITHM/LOCK the statement accepts,
// best first; the accepted probe applies it there, keeping the twin in step
// with production. A statement that takes no clause runs verbatim.
func (v *verifier) probeLadder(ctx context.Context, q string, o *stmtObs) {
	body := leadComment.ReplaceAllString(q, "")
	if m := prepareFrom.FindStringSubmatch(body); m != nil {
		// PREPARE name FROM @var (Mattermost's guarded DDL): remember the
		// text, so that its EXECUTE is judged as the statement it runs.
		var text sql.NullString
		if err := v.probe.QueryRowContext(ctx, "SELECT "+m[2]).Scan(&text); err == nil && text.Valid {
			v.prepared[strings.ToLower(m[1])] = text.String
		}
	}
	if m := executeStmt.FindStringSubmatch(body); m != nil {
		if text := leadComment.ReplaceAllString(strings.TrimSuffix(strings.TrimSpace(v.prepared[strings.ToLower(m[1])]), ";"), ""); alterTable.MatchString(text) || indexStmt.MatchString(text) {
			// The ladder on the statement the EXECUTE runs (its accepted
			// probe keeps the twin in step, as the EXECUTE would).
			v.logf("probe %s: EXECUTE %s runs %s", o.At, m[1], short(text, 200))
			q, body = text, text
		}
	}
	if !alterTable.MatchString(body) && !indexStmt.MatchString(body) {
		_, err := v.probe.ExecContext(ctx, q)
		v.logf("probe %s: verbatim -> %s", o.At, codeText(errCode(err), fmt.Sprint(err)))
		return
	}
	bare := ownClauses.ReplaceAllString(body, "")
	for _, step := range ladder(v.flavor) {
		probe := withClause(bare, step[0], step[1])
		_, err := v.probe.ExecContext(ctx, probe)
		code := errCode(err)
		clause := step[0]
		if step[1] != "" {
			clause += ",LOCK=" + step[1]
		}
		v.logf("probe %s: %s -> %s", o.At, clause, codeText(code, fmt.Sprint(err)))
		if code == 0 {
			o.Algorithm, o.Lock = step[0], step[1]
			o.Ladder = append(o.Ladder, clause+" ok")
			if bare != body {
				// The statement names its own ALGORITHM/LOCK: the
				// ladder tells what the server can do, and the
				// verbatim statement (on production) what it does.
				o.Ladder = append(o.Ladder, "own clause: "+strings.TrimSpace(ownClauses.FindString(body)))
			}
			return
		}
		o.Ladder = append(o.Ladder, fmt.Sprintf("%s %d", clause, code))
		if code != 1845 && code != 1846 && code != 1064 && code != 4092 && code != 1235 {
			// Not a refusal of the clause: the statement itself fails
			// (a duplicate, a missing object). Every step would.
			break
		}
	}
	// Nothing accepted: run it verbatim so the twin stays in step.
	_, err := v.probe.ExecContext(ctx, q)
	v.logf("probe %s: verbatim -> %s", o.At, codeText(errCode(err), fmt.Sprint(err)))
}

// writers insert the previous app's rows while the migrations run.
type writers struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	ops    []op
	n      atomic.Int64
}

type op struct {
	start, end time.Time
	code       int
}

func (w *writers) next() int64 { return w.n.Add(1) }

// fill replaces {n} with a number unique to this execution.
func fill(q string, n int64) string { return strings.ReplaceAll(q, "{n}", strconv.FormatInt(n, 10)) }

func (v *verifier) startWriters(ctx context.Context) *writers {
	ctx, cancel := context.WithCancel(ctx)
	w := &writers{cancel: cancel}
	w.n.Store(1_000_000)
	var inserts []string
	for _, q := range v.c.App {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "INSERT") {
			inserts = append(inserts, q)
		}
	}
	if len(inserts) == 0 {
		return w
	}
	for g := 0; g < 2; g++ {
		w.wg.Add(1)
		go func(g int) {
			defer w.wg.Done()
			conn, err := v.main.Conn(context.Background())
			if err != nil {
				return
			}
			defer conn.Close()
			for i := g; ctx.Err() == nil; i++ {
				q := fill(inserts[i%len(inserts)], w.next())
				o := op{start: time.Now()}
				_, err := conn.ExecContext(context.Background(), q)
				o.end, o.code = time.Now(), errCode(err)
				w.mu.Lock()
				w.ops = append(w.ops, o)
				w.mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}(g)
	}
	time.Sleep(100 * time.Millisecond) // the writers are running when the first statement starts
	return w
}

func (w *writers) stop() []op {
	w.cancel()
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ops
}

// judgeBlocking: a statement blocks writers when the default gates would
// fail it for the longest write that waited within its run
// (rehearse/blocking, the one definition: more than half of a run whose work
// grows with the table, at least 100 ms; or past 5 s). Behind a table copy a
// writer waits for all of it, behind an online change for milliseconds.
func judgeBlocking(o *stmtObs, ops []op) {
	if o.Start.IsZero() {
		return
	}
	end := o.Start.Add(o.Dur)
	for _, p := range ops {
		if p.start.After(end) || p.end.Before(o.Start) {
			continue
		}
		o.Ops++
		from, to := p.start, p.end
		if from.Before(o.Start) {
			from = o.Start
		}
		if to.After(end) {
			to = end
		}
		if l := to.Sub(from); l > o.Longest {
			o.Longest = l
		}
	}
	o.Blocks = blocking.Blocks(o.Longest, o.Dur, o.Algorithm, o.Lock)
}

// appStatement runs one statement of the previous app against the new
// schema, in a transaction rolled back.
func (v *verifier) appStatement(ctx context.Context, q string, n int64) (int, string) {
	conn, err := v.main.Conn(ctx)
	if err != nil {
		return -1, err.Error()
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		return errCode(err), err.Error()
	}
	defer conn.ExecContext(ctx, "ROLLBACK")
	rows, err := conn.QueryContext(ctx, fill(q, n))
	if err != nil {
		return errCode(err), err.Error()
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return errCode(err), err.Error()
	}
	rows.Close()
	return 0, ""
}

// injections: long transactions reading a table, started before a migration.
var injWG sync.WaitGroup

func (v *verifier) inject(ctx context.Context, version string, first bool) {
	for _, spec := range v.c.Inject {
		kind, rest, _ := strings.Cut(spec, "=")
		if kind != "long-txn" {
			continue
		}
		rest, at, _ := strings.Cut(rest, "@")
		table, dur, _ := strings.Cut(rest, ":")
		if at == "" && !first || at != "" && strings.TrimLeft(at, "0") != strings.TrimLeft(version, "0") {
			continue
		}
		d, err := time.ParseDuration(dur)
		if err != nil {
			continue
		}
		ready := make(chan struct{})
		injWG.Add(1)
		go func() {
			defer injWG.Done()
			conn, err := v.main.Conn(ctx)
			if err != nil {
				close(ready)
				return
			}
			defer conn.Close()
			conn.ExecContext(ctx, "START TRANSACTION")
			rows, err := conn.QueryContext(ctx, "SELECT * FROM `"+table+"` LIMIT 1")
			if err == nil {
				for rows.Next() {
				}
				rows.Close()
			}
			v.logf("inject %s: transaction open", spec)
			close(ready)
			time.Sleep(d)
			conn.ExecContext(context.Background(), "ROLLBACK")
		}()
		<-ready
		time.Sleep(200 * time.Millisecond)
	}
}

func (v *verifier) waitInjections() { injWG.Wait() }
