package run

// Strategies: how the release's heavy statements are applied. native runs
// them as written (the server's own ALTER); pt-osc hands each to Percona's
// pt-online-schema-change (triggers, chunked copy, atomic RENAME);
// online-copy runs it as ALGORITHM=COPY, LOCK=NONE (MariaDB 11.2+'s online
// table copy); cmd runs the user's own tool from a command template
// (gh-ost, Spirit, ...). The rehearsal measures each the same way: the
// load's writes and the lock monitor's waits in the statement's window,
// whoever's connections did the work (docs/strategies.md).

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/locks"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/redact"
	"github.com/rehearse/rehearse/rehearse/result"
)

// Strategy names.
const (
	StrategyNative     = "native"
	StrategyPTOSC      = "pt-osc"
	StrategyOnlineCopy = "online-copy"
	StrategyCmd        = "cmd"
)

// StrategyNames lists the strategies, in the order a comparison shows them.
func StrategyNames() []string {
	return []string{StrategyNative, StrategyPTOSC, StrategyOnlineCopy, StrategyCmd}
}

// StrategyOptions say how heavy statements are applied.
type StrategyOptions struct {
	// Name applies to the statements the plan (and the server's probe)
	// predicts rebuild the table or block writes; "" or native runs every
	// statement as written.
	Name string
	// For names the strategy of single statements, "VERSION#N" → name,
	// heavy or not (--strategy-for).
	For map[string]string
	// Command is the cmd strategy's template (--osc-cmd); placeholders in
	// OSCPlaceholders.
	Command string
	// Env is the environment of the tool (pt-osc, the cmd template); the
	// caller builds it (no library reads the environment).
	Env []string
	// PTOSC is the pt-online-schema-change binary ("" = on PATH).
	PTOSC string
	// all applies Name to every ALTER TABLE and CREATE INDEX, heavy or
	// not (Compare: each strategy measured on every change).
	all bool
	// PTOSCArgs are more options for pt-online-schema-change, after
	// rehearse's own (--pt-osc-arg): --chunk-time, --max-load, ... A
	// --set-vars here replaces rehearse's (lock_wait_timeout=).
	PTOSCArgs []string
}

// OSCPlaceholders are the placeholders of an --osc-cmd template. Each is
// replaced by its value quoted for sh.
var OSCPlaceholders = map[string]string{
	"{host}":      "the sandbox's host (127.0.0.1 for a local sandbox)",
	"{port}":      "its TCP port",
	"{user}":      "the account (root on a sandbox)",
	"{password}":  "its password ('' on a local sandbox)",
	"{socket}":    "the local sandbox's socket ('' elsewhere)",
	"{database}":  "the database the table is in",
	"{table}":     "the table the statement changes",
	"{alter}":     "the statement's ALTER specification, without ALTER TABLE t and without ALGORITHM/LOCK clauses (e.g. MODIFY amount DECIMAL(18,4) NOT NULL)",
	"{statement}": "the statement as written",
}

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// ParseStrategyFor reads --strategy-for's VERSION#N=NAME.
func ParseStrategyFor(s string) (key, name string, err error) {
	k, v, ok := strings.Cut(s, "=")
	ver, n, ok2 := strings.Cut(k, "#")
	if !ok || !ok2 || ver == "" {
		return "", "", rehearse.WithHint(fmt.Errorf("--strategy-for %q: want VERSION#N=STRATEGY", s), "e.g. --strategy-for 20240101#2=pt-osc (the second statement of migration 20240101)")
	}
	if i, err := strconv.Atoi(n); err != nil || i < 1 {
		return "", "", rehearse.WithHint(fmt.Errorf("--strategy-for %q: statement number %q is not a positive number", s, n), "statements count from 1 within their migration's up")
	}
	if err := checkStrategyName("--strategy-for "+s, v); err != nil {
		return "", "", err
	}
	return strings.TrimLeft(ver, "0") + "#" + n, v, nil
}

func checkStrategyName(where, name string) error {
	for _, n := range StrategyNames() {
		if name == n {
			return nil
		}
	}
	return rehearse.WithHint(fmt.Errorf("%s: %q is not a strategy", where, name), "use one of: %s", strings.Join(StrategyNames(), ", "))
}

// Check validates the options before any work.
func (s StrategyOptions) Check() error {
	if s.Name != "" {
		if err := checkStrategyName("--strategy", s.Name); err != nil {
			return err
		}
	}
	uses := map[string]bool{s.Name: true}
	for _, v := range s.For {
		uses[v] = true
	}
	if uses[StrategyCmd] && strings.TrimSpace(s.Command) == "" {
		return rehearse.WithHint(errors.New("the cmd strategy needs --osc-cmd"), "e.g. --osc-cmd 'gh-ost --host={host} --port={port} --user={user} --password={password} --database={database} --table={table} --alter={alter} --allow-on-master --execute'")
	}
	if uses[StrategyPTOSC] {
		bin := s.PTOSC
		if bin == "" {
			bin = "pt-online-schema-change"
		}
		if _, err := exec.LookPath(bin); err != nil {
			return rehearse.WithHint(fmt.Errorf("strategy pt-osc: %s not found", bin), "install Debian's percona-toolkit (scripts/setup.sh does)")
		}
	}
	if s.Command != "" {
		for _, p := range placeholderRE.FindAllString(s.Command, -1) {
			if _, ok := OSCPlaceholders[p]; !ok {
				var known []string
				for k := range OSCPlaceholders {
					known = append(known, k)
				}
				sort.Strings(known)
				return rehearse.WithHint(fmt.Errorf("--osc-cmd: unknown placeholder %s", p), "use: %s", strings.Join(known, " "))
			}
		}
	}
	return nil
}

// active reports whether any statement may run other than as written.
func (s StrategyOptions) active() bool {
	if s.Name != "" && s.Name != StrategyNative {
		return true
	}
	for _, v := range s.For {
		if v != StrategyNative {
			return true
		}
	}
	return false
}

// strategyFor chooses statement n of m's strategy: --strategy-for, else
// --strategy when the statement is heavy (the server's probe, else the
// plan: a table copy, a rebuild, or a lock that blocks writes), else native.
func (r *rehearsal) strategyFor(m *migrations.Migration, n int) (string, string) {
	s := r.opts.Strategy
	if v, ok := s.For[strings.TrimLeft(m.Version, "0")+"#"+strconv.Itoa(n)]; ok {
		return v, "--strategy-for"
	}
	if s.Name == "" || s.Name == StrategyNative {
		return StrategyNative, ""
	}
	if s.all && n-1 < len(m.Up.Statements) {
		if _, ok := readAlter(m.Up.Statements[n-1].Text); ok {
			return s.Name, "rehearse compare: every ALTER TABLE and CREATE INDEX"
		}
	}
	if why := r.heavy(m, n); why != "" {
		return s.Name, why
	}
	return StrategyNative, ""
}

// heavy says why statement n of m rebuilds its table or blocks writes ("" =
// it does neither): the server's verified answer first, then the plan's.
func (r *rehearsal) heavy(m *migrations.Migration, n int) string {
	var sp *plan.StatementPlan
	if r.plan != nil {
		for i := range r.plan.Pending {
			if pm := &r.plan.Pending[i]; pm.Version == m.Version && n-1 < len(pm.Statements) {
				sp = &pm.Statements[n-1]
			}
		}
	}
	if ps := r.probes[m.Version]; n-1 < len(ps) && ps[n-1].Verified != nil && ps[n-1].Verified.Algorithm != "" {
		v := ps[n-1].Verified
		switch {
		case v.Algorithm == plan.Copy:
			return "the server copies the table (ALGORITHM=COPY)"
		case v.Lock == plan.LockShared || v.Lock == plan.LockExclusive:
			return fmt.Sprintf("the server blocks writes (LOCK=%s)", v.Lock)
		case v.Algorithm == plan.Instant || v.Algorithm == plan.NoCopy:
			return ""
		case sp != nil && sp.Predicted != nil && sp.Predicted.Rebuild:
			return "the server rebuilds the table (ALGORITHM=INPLACE)"
		}
		return ""
	}
	if sp == nil || sp.Predicted == nil {
		return ""
	}
	a := sp.Predicted
	switch {
	case a.Algorithm == plan.Copy:
		return "the plan predicts a table copy"
	case a.Lock == plan.LockShared || a.Lock == plan.LockExclusive:
		return fmt.Sprintf("the plan predicts LOCK=%s", a.Lock)
	case a.Rebuild:
		return "the plan predicts a table rebuild"
	}
	return ""
}

// checkStrategies refuses what the server cannot do before the load starts.
func (r *rehearsal) checkStrategies() error {
	uses := map[string]bool{r.opts.Strategy.Name: true}
	for _, v := range r.opts.Strategy.For {
		uses[v] = true
	}
	if uses[StrategyOnlineCopy] && !onlineCopyCapable(r.srv) {
		return rehearse.WithHint(fmt.Errorf("strategy online-copy: %s %s has no online table copy (ALTER TABLE ... ALGORITHM=COPY, LOCK=NONE needs MariaDB 11.2 or newer; older MariaDB and MySQL block writes for a whole COPY)", r.srv.Flavor, r.srv.Version),
			"rehearse on MariaDB 11.2+ (--server-version 11.8), or compare native and pt-osc")
	}
	if uses[StrategyPTOSC] {
		if _, err := exec.LookPath(r.ptosc()); err != nil {
			return rehearse.WithHint(fmt.Errorf("strategy pt-osc: %s not found", r.ptosc()), "install Debian's percona-toolkit (scripts/setup.sh does)")
		}
	}
	if (uses[StrategyCmd] || uses[StrategyPTOSC]) && r.srv.Engine == "dsn" {
		return rehearse.WithHint(fmt.Errorf("strategies pt-osc and cmd run an outside tool, which rehearse cannot confine to the dsn engine's scratch database"), "rehearse them on a sandbox (--engine local or docker)")
	}
	return nil
}

func (r *rehearsal) ptosc() string {
	if r.opts.Strategy.PTOSC != "" {
		return r.opts.Strategy.PTOSC
	}
	return "pt-online-schema-change"
}

// onlineCopyCapable: MariaDB 11.2 and newer copy a table with LOCK=NONE.
func onlineCopyCapable(s *engine.Server) bool {
	if s == nil || s.Flavor != engine.MariaDB {
		return false
	}
	var maj, min int
	fmt.Sscanf(s.Version, "%d.%d", &maj, &min)
	return maj > 11 || maj == 11 && min >= 2
}

// alterParts is a statement read as ALTER TABLE: its table (schema "" when
// unqualified) and specification.
type alterParts struct {
	Schema, Table, Spec string
}

const identRE = "(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)"

var (
	alterRE       = regexp.MustCompile(`(?is)^\s*ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(` + identRE + `(?:\s*\.\s*` + identRE + `)?)\s+(.+?)\s*;?\s*$`)
	createIndexRE = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:OR\s+REPLACE\s+)?((?:UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+(` + identRE + `)\s+ON\s+(` + identRE + `(?:\s*\.\s*` + identRE + `)?)\s*(\(.+\))\s*(.*?)\s*;?\s*$`)
	dropIndexRE   = regexp.MustCompile(`(?is)^\s*DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?(` + identRE + `)\s+ON\s+(` + identRE + `(?:\s*\.\s*` + identRE + `)?)\s*(.*?)\s*;?\s*$`)
	algoLockRE    = regexp.MustCompile(`(?i),?\s*\b(?:ALGORITHM|LOCK)\s*=?\s*(?:DEFAULT|INSTANT|INPLACE|COPY|NOCOPY|NONE|SHARED|EXCLUSIVE)\b`)
)

// readAlter reads an ALTER TABLE, CREATE INDEX or DROP INDEX statement as a table and
// an ALTER specification without ALGORITHM/LOCK clauses (the tool decides
// how to copy); ok false for anything else.
func readAlter(stmt string) (alterParts, bool) {
	var tbl, spec string
	if m := alterRE.FindStringSubmatch(stmt); m != nil {
		tbl, spec = m[1], m[2]
	} else if m := createIndexRE.FindStringSubmatch(stmt); m != nil {
		kind := strings.ToUpper(strings.TrimSpace(m[1]))
		if kind != "" {
			kind += " "
		}
		tbl, spec = m[3], fmt.Sprintf("ADD %sINDEX %s %s %s", kind, m[2], m[4], m[5])
	} else if m := dropIndexRE.FindStringSubmatch(stmt); m != nil {
		tbl, spec = m[2], "DROP INDEX "+m[1]+" "+m[3]
	} else {
		return alterParts{}, false
	}
	spec = strings.TrimSpace(algoLockRE.ReplaceAllString(spec, ""))
	spec = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(spec), ","))
	if spec == "" {
		return alterParts{}, false
	}
	var p alterParts
	parts := splitQualified(tbl)
	if len(parts) == 2 {
		p.Schema, p.Table = parts[0], parts[1]
	} else {
		p.Table = parts[0]
	}
	p.Spec = spec
	return p, true
}

func splitQualified(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(identRE).FindAllString(s, -1) {
		if strings.HasPrefix(m, "`") {
			m = strings.ReplaceAll(m[1:len(m)-1], "``", "`")
		}
		out = append(out, m)
	}
	return out
}

// toolRun is what running a statement through a strategy observed besides
// execResult: the tool's command line and output, and its cut-over.
type toolRun struct {
	strategy string
	command  string   // as shown (credentials masked)
	output   []string // last lines
	// cutFrom and cutTo bracket the cut-over (the tool's swap lines); zero
	// when the tool does not say (the statement's end then).
	cutFrom, cutTo time.Time
	table          string
	notes          []string // what the server's settings do to the tool (ptoscNotes)
	// replicas pt-osc was given (0: none); found is how many it said it
	// found, lagReports and stoppedReports its reports of waiting for a
	// lagging or a stopped replica, lastLag the last lag it reported.
	replicas, found            int
	lagReports, stoppedReports int
	lastLag                    string
}

// execStrategy runs statement sqlText of m (its n-th) with strategy name.
func (r *rehearsal) execStrategy(ctx context.Context, name, sqlText string) (execResult, *toolRun, error) {
	ap, ok := readAlter(sqlText)
	if !ok {
		// Not an ALTER a tool can take: as written.
		res, err := execStatement(ctx, r.db, r.schema, sqlText, r.opts.LockWaitTimeout, nil, r.statementGTID())
		return res, &toolRun{strategy: StrategyNative, output: []string{name + ": not an ALTER TABLE or CREATE INDEX; run as written"}}, err
	}
	db := ap.Schema
	if db == "" {
		db = r.schema
	}
	tr := &toolRun{strategy: name, table: ap.Table}
	switch name {
	case StrategyOnlineCopy:
		stmt := fmt.Sprintf("ALTER TABLE %s.%s %s, ALGORITHM=COPY, LOCK=NONE", mysqlkit.Quote(db), mysqlkit.Quote(ap.Table), ap.Spec)
		tr.command = stmt
		res, err := execStatement(ctx, r.db, r.schema, stmt, r.opts.LockWaitTimeout, nil, r.statementGTID())
		return res, tr, err
	case StrategyPTOSC:
		method := "none" // no replicas to find: else 3.2.1 asks SHOW SLAVE HOSTS, which MySQL 8.4+ no longer has
		if r.repl != nil {
			// The rehearsal's replicas, from a DSN table (and the account
			// the option file names, strategy_replicas.go).
			var err error
			if method, err = r.ptoscReplicas(ctx); err != nil {
				return execResult{}, nil, err
			}
		}
		cnf, err := r.clientConfig()
		if err != nil {
			return execResult{}, nil, err
		}
		defer os.Remove(cnf)
		args := []string{"--alter", ap.Spec, "--execute", "--no-version-check"}
		if r.opts.LockWaitTimeout > 0 {
			secs := max(1, int64(r.opts.LockWaitTimeout.Round(time.Second)/time.Second))
			args = append(args, "--set-vars", fmt.Sprintf("lock_wait_timeout=%d", secs))
		}
		if r.repl == nil {
			args = append(args, "--recursion-method=none")
		} else {
			// A report of each second it waits for the replicas.
			args = append(args, "--recursion-method", method, "--progress", "time,1")
			tr.replicas = len(r.repl.topo.Replicas)
		}
		args = append(args, r.opts.Strategy.PTOSCArgs...)
		tr.notes = r.ptoscNotes(ctx, db, ap.Table)
		args = append(args, fmt.Sprintf("F=%s,h=%s,P=%d,D=%s,t=%s", cnf, r.srv.Host, r.srv.Port, db, ap.Table))
		tr.command = r.ptosc() + " " + shellJoin(args)
		return r.runTool(ctx, exec.CommandContext(ctx, r.ptosc(), args...), tr)
	case StrategyCmd:
		vals := map[string]string{
			"{host}": r.srv.Host, "{port}": strconv.Itoa(r.srv.Port), "{user}": r.srv.User,
			"{password}": r.srv.Password(), "{socket}": r.srv.Socket, "{database}": db,
			"{table}": ap.Table, "{alter}": ap.Spec, "{statement}": sqlText,
		}
		line := placeholderRE.ReplaceAllStringFunc(r.opts.Strategy.Command, func(p string) string { return shellQuote(vals[p]) })
		shown := placeholderRE.ReplaceAllStringFunc(r.opts.Strategy.Command, func(p string) string {
			if p == "{password}" && vals[p] != "" {
				return "'***'"
			}
			return shellQuote(vals[p])
		})
		tr.command = shown
		return r.runTool(ctx, exec.CommandContext(ctx, "/bin/sh", "-c", line), tr)
	}
	return execResult{}, nil, fmt.Errorf("strategy %q", name)
}

// clientConfig writes a client option file with the sandbox's account
// (0600, removed after the tool ran): the password stays off the tool's
// command line.
func (r *rehearsal) clientConfig() (string, error) {
	f, err := os.CreateTemp("", "rehearse-osc-*.cnf")
	if err != nil {
		return "", err
	}
	defer f.Close()
	user, password := r.srv.User, r.srv.Password()
	if a := r.ptoscAcct; a != nil {
		user, password = a.user, a.password
	}
	fmt.Fprintf(f, "[client]\nuser=%s\nhost=%s\nport=%d\n", user, r.srv.Host, r.srv.Port)
	if p := password; p != "" {
		fmt.Fprintf(f, "password=%s\n", p)
	}
	return f.Name(), f.Chmod(0o600)
}

// toolTail is how many of a tool's last output lines the report keeps.
const toolTail = 12

// runTool runs a tool, timestamps its output lines (pt-osc flushes each),
// and reads its cut-over from them. A non-zero exit is the statement's
// error, with the tool's last lines.
func (r *rehearsal) runTool(ctx context.Context, cmd *exec.Cmd, tr *toolRun) (execResult, *toolRun, error) {
	cmd.Env = r.opts.Strategy.Env
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.WaitDelay = 5 * time.Second
	var lines []string
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			now := time.Now()
			line := redact.String(sc.Text())
			mu.Lock()
			switch {
			case strings.Contains(line, "Swapping tables"):
				tr.cutFrom = now
			case strings.Contains(line, "Swapped original and new tables OK"):
				tr.cutTo = now
			}
			tr.observe(line)
			lines = append(lines, line)
			if len(lines) > 200 {
				lines = lines[len(lines)-toolTail:]
			}
			mu.Unlock()
		}
	}()
	res := execResult{ConnID: strategyConnID, Start: time.Now()}
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	res.End = time.Now()
	pw.Close()
	<-done
	if len(lines) > toolTail {
		lines = lines[len(lines)-toolTail:]
	}
	tr.output = lines
	if !tr.cutFrom.IsZero() && tr.cutTo.IsZero() {
		tr.cutTo = res.End
	}
	if tr.replicas > 0 {
		tr.notes = append(tr.notes, tr.replicaNotes(err == nil, lines)...)
	}
	r.logf("%s: %s", tr.strategy, tr.command)
	for _, l := range lines {
		r.logf("  %s", l)
	}
	if err != nil {
		if ctx.Err() != nil {
			return res, tr, ctx.Err()
		}
		msg := err.Error()
		if last := lastMeaningful(lines); last != "" {
			msg = last + " (" + msg + ")"
		}
		res.Err = fmt.Errorf("%s: %s", tr.strategy, msg)
	}
	return res, tr, nil
}

// lastMeaningful is the tool's reason for failing: from the end, the
// first line that is not a timestamped progress line (pt-osc's "2026-…T…
// Dropping new table..."), an indented list, a "Please …" pointer to the
// documentation or pt-osc's closing "… was not altered."; else its last line.
func lastMeaningful(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		t := strings.TrimSpace(l)
		switch {
		case t == "", progressLineRE.MatchString(t), l != strings.TrimLeft(l, " \t"),
			strings.HasPrefix(t, "Please "), strings.HasSuffix(t, "was not altered."):
			continue
		}
		return t
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

var progressLineRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d `)

// strategyConnID marks a statement a tool ran on connections of its own:
// every wait in its window counts (as for --migrate-cmd).
const strategyConnID = -2

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// strategyFigures fills a statement's strategy figures: the cut-over (the
// tool's swap, else the statement's end) and its longest write in flight,
// and the share of the run some writer waited for a lock.
func (r *rehearsal) strategyFigures(s *result.Statement, run *stmtRun, lr *load.Result, mr *locks.Result) {
	res := run.res
	// The cut-over window: the tool's swap lines; a tool that prints none
	// (cmd) has its last second; a native ALTER holds its lock to its end.
	cutFrom, cutTo := res.End, res.End
	known := false
	if t := run.tool; t != nil {
		s.Strategy = t.strategy
		s.Tool = t.command
		s.ToolOutput = t.output
		s.StrategyNotes = t.notes
		switch {
		case !t.cutFrom.IsZero():
			cutFrom, cutTo, known = t.cutFrom, t.cutTo, true
		case t.strategy == StrategyCmd:
			cutFrom, known = maxTime(res.Start, res.End.Add(-time.Second)), true
		}
	}
	switch s.Strategy {
	case StrategyNative:
		s.Strategy = ""
	case StrategyPTOSC, StrategyCmd:
		s.Algorithm = "" // the tool's own copy, not the server's ALTER
	}
	s.CutOverS = r.since(cutFrom)
	table := s.Table
	if table == "" {
		if ap, ok := readAlter(run.stmt.Text); ok {
			table = ap.Table
		}
	}
	if !known {
		// As written, the server holds its lock to the statement's end:
		// the writers it queued wait for that (a blocking copy: all of it).
		s.CutOverStallS = s.LongestStallS
	} else {
		// The writes that began waiting in the window: the load's writes
		// to the table scheduled in it, and the writers' lock waits that
		// began in it (a write queued earlier, behind a chunk, is not the
		// cut-over's).
		var longest time.Duration
		if lr != nil {
			for op := range lr.Ops() {
				tp := lr.Templates[op.Template]
				if !tp.Kind.Write() || (table != "" && !strings.EqualFold(tp.Table, table)) {
					continue
				}
				if st := lr.Started.Add(op.Start); !st.Before(cutFrom) && !st.After(cutTo) {
					longest = max(longest, op.Latency)
				}
			}
		}
		if mr != nil {
			for _, w := range mr.Waits {
				if w.Write() && onTable(w.Table, table) && !w.Start.Before(cutFrom.Add(-mr.MaxSampleGap)) && !w.Start.After(cutTo) {
					longest = max(longest, w.Duration())
				}
			}
		}
		s.CutOverStallS = longest.Seconds()
	}
	if mr != nil && res.End.After(res.Start) {
		// Two ways writers are held: a metadata-lock queue on the table
		// holds every write to it (its share of the run), a row or table
		// lock holds some (the share of the writer connections' time). The
		// larger is the statement's.
		dur := res.End.Sub(res.Start).Seconds()
		capacity := float64(r.opts.loadConns()) * dur
		share := func(cutFrom, cutTo time.Time) float64 {
			mdl := mdlUnion(mr, table, res.Start, res.End, cutFrom, cutTo).Seconds() / dur
			conn := blockedTime(mr, table, res.Start, res.End, cutFrom, cutTo).Seconds() / capacity
			return min(1, max(mdl, conn))
		}
		s.BlockedShare = share(time.Time{}, time.Time{})
		if known {
			s.BlockedShareOutsideCutOver = share(cutFrom, cutTo)
		} else {
			s.BlockedShareOutsideCutOver = s.BlockedShare
		}
	}
}

// mdlUnion is the time within [from, to], less [cutFrom, cutTo] when set,
// during which some writer queued for table's metadata lock: then every
// write to the table waits.
func mdlUnion(mr *locks.Result, table string, from, to, cutFrom, cutTo time.Time) time.Duration {
	type iv struct{ a, b time.Time }
	var ivs []iv
	add := func(a, b time.Time) {
		a, b = maxTime(a, from), minTime(b, to)
		if b.After(a) {
			ivs = append(ivs, iv{a, b})
		}
	}
	for _, w := range mr.Waits {
		if !w.Write() || w.Kind != locks.MetadataLock || !onTable(w.Table, table) {
			continue
		}
		if cutFrom.IsZero() {
			add(w.Start, w.End)
			continue
		}
		add(w.Start, minTime(w.End, cutFrom))
		add(maxTime(w.Start, cutTo), w.End)
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].a.Before(ivs[j].a) })
	var total time.Duration
	for i := 0; i < len(ivs); {
		cur := ivs[i]
		j := i + 1
		for ; j < len(ivs) && !ivs[j].a.After(cur.b); j++ {
			cur.b = maxTime(cur.b, ivs[j].b)
		}
		total += cur.b.Sub(cur.a)
		i = j
	}
	return total
}

// blockedTime sums the writers' lock waits on table (or a tool's copy of
// it, _table_new, _table_gho, ...) within [from, to], less [cutFrom,
// cutTo] when set.
func blockedTime(mr *locks.Result, table string, from, to, cutFrom, cutTo time.Time) time.Duration {
	var total time.Duration
	add := func(a, b time.Time) {
		a, b = maxTime(a, from), minTime(b, to)
		if b.After(a) {
			total += b.Sub(a)
		}
	}
	for _, w := range mr.Waits {
		if !w.Write() || !onTable(w.Table, table) {
			continue
		}
		if cutFrom.IsZero() {
			add(w.Start, w.End)
			continue
		}
		add(w.Start, minTime(w.End, cutFrom))
		add(maxTime(w.Start, cutTo), w.End)
	}
	return total
}

// onTable: a wait on table itself, on a tool's copy of it, or on a table
// the monitor could not name.
func onTable(waited, table string) bool {
	return table == "" || waited == "" || strings.EqualFold(waited, table) ||
		strings.HasPrefix(strings.ToLower(waited), "_"+strings.ToLower(table)+"_")
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// strategyChecksums analyses the tables the release's statements change
// and takes their CHECKSUM TABLE, before the load starts: the data (and
// statistics) every strategy starts from.
func (r *rehearsal) strategyChecksums(ctx context.Context, pending []*migrations.Migration) map[string]string {
	out := map[string]string{}
	for _, m := range pending {
		for _, st := range m.Up.Statements {
			ap, ok := readAlter(r.confined.Text(st.Text))
			if !ok {
				continue
			}
			db := ap.Schema
			if db == "" {
				db = r.schema
			}
			if _, done := out[ap.Table]; done {
				continue
			}
			// Statistics as production's: a freshly loaded table's can
			// be far off, and pt-osc sizes its chunks from them (a table
			// it believes small is copied in one chunk, every row locked).
			if rows, err := r.db.QueryContext(ctx, fmt.Sprintf("ANALYZE TABLE %s.%s", mysqlkit.Quote(db), mysqlkit.Quote(ap.Table))); err == nil {
				rows.Close()
			}
			var name string
			var sum *int64
			err := r.db.QueryRowContext(ctx, fmt.Sprintf("CHECKSUM TABLE %s.%s", mysqlkit.Quote(db), mysqlkit.Quote(ap.Table))).Scan(&name, &sum)
			switch {
			case err != nil:
				out[ap.Table] = "error: " + err.Error()
			case sum == nil:
				out[ap.Table] = "none (the table does not exist)"
			default:
				out[ap.Table] = strconv.FormatInt(*sum, 10)
			}
		}
	}
	return out
}

// leftoverRE names what online schema change tools leave when they fail or
// are told to keep things: pt-osc's _t_new/_t_old and pt_osc_* triggers,
// gh-ost's _t_gho/_t_ghc/_t_del, Spirit's _t_new/_t_old/_spirit_* tables.
var leftoverRE = regexp.MustCompile(`^(_.+_(new|old|gho|ghc|del)|_spirit_.+|pt_osc_.+)$`)

// strategyAfter records the schema after the release: per table a digest
// of its normalised definition, and what a tool left behind.
func (r *rehearsal) strategyAfter(st *schemaState) {
	sr := r.report.Strategy
	if sr == nil || st == nil {
		return
	}
	sr.TableDigests = map[string]string{}
	h := sha256.New()
	for _, t := range st.Tables {
		if leftoverRE.MatchString(t.Name) {
			sr.Leftovers = append(sr.Leftovers, "table "+t.Name)
			continue
		}
		d := sha256.Sum256([]byte(t.CreateSQL))
		sr.TableDigests[t.Name] = hex.EncodeToString(d[:8])
		if _, changed := sr.Checksums[t.Name]; changed {
			if sr.Tables == nil {
				sr.Tables = map[string]string{}
			}
			sr.Tables[t.Name] = t.CreateSQL
		}
		fmt.Fprintf(h, "table %s\n%s\n", t.Name, t.CreateSQL)
	}
	for _, t := range st.Triggers {
		if leftoverRE.MatchString(t.Name) {
			sr.Leftovers = append(sr.Leftovers, "trigger "+t.Name)
			continue
		}
		fmt.Fprintf(h, "trigger %s\n%s\n", t.Name, t.CreateSQL)
	}
	sr.SchemaDigest = hex.EncodeToString(h.Sum(nil)[:16])
}

// ptoscNotes says what the server's settings do to pt-osc 3.2.1, as
// measured on this project's servers (docs/strategies.md):
//   - MySQL 8.3+'s explain_format=TREE (9.x's default) hides the rows column
//     pt-osc sizes the table by: it estimates 0 rows and copies the whole
//     table in one chunk, every row share-locked for the copy;
//   - innodb_autoinc_lock_mode=1 (MariaDB's default) on a table with an
//     AUTO_INCREMENT column: each chunk's INSERT … SELECT holds the new
//     table's AUTO-INC lock and the triggers' inserts into it (every write
//     to the table) wait for the chunk.
func (r *rehearsal) ptoscNotes(ctx context.Context, db, table string) []string {
	var notes []string
	userArgs := strings.Join(r.opts.Strategy.PTOSCArgs, " ")
	var format string
	if err := r.db.QueryRowContext(ctx, "SELECT @@explain_format").Scan(&format); err == nil &&
		!strings.EqualFold(format, "TRADITIONAL") && !strings.Contains(userArgs, "explain_format") {
		notes = append(notes, fmt.Sprintf("explain_format=%s: pt-osc 3.2.1 reads the rows column of a traditional EXPLAIN, finds none, takes the table for empty and copies it in one chunk with every row share-locked until the copy ends; run it with --set-vars explain_format=TRADITIONAL,lock_wait_timeout=N (rehearse: --pt-osc-arg=--set-vars=explain_format=TRADITIONAL,lock_wait_timeout=N)", format))
	}
	var mode int
	var autoinc int
	if err := r.db.QueryRowContext(ctx, "SELECT @@innodb_autoinc_lock_mode").Scan(&mode); err == nil && mode == 1 {
		if err := r.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%'", db, table).Scan(&autoinc); err == nil && autoinc > 0 {
			notes = append(notes, "innodb_autoinc_lock_mode=1 and an AUTO_INCREMENT column: each chunk's INSERT ... SELECT holds the new table's AUTO-INC lock, and the triggers' inserts into it (every write to the table) wait for the chunk, up to --chunk-time (0.5 s) each; innodb_autoinc_lock_mode=2 (with binlog_format=ROW) avoids it")
		}
	}
	return notes
}
