package evidence

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// deployShape reads one kind of deploy log line (after its leading time):
// a migration starting, done or failed, or the run's summary.
type deployShape struct {
	tool string
	read func(rest string) (DeployEvent, bool)
}

// deployShapes are the runners whose log lines Read knows, tried in order.
var deployShapes = []deployShape{
	{"golang-migrate", golangMigrateLine},
	{"goose", gooseLine},
	{"flyway", flywayLine},
	{"liquibase", liquibaseLine},
	{"generic", genericLine},
}

// deployLog reads the lines of a deploy log it recognises and returns how
// many. Lines of other kinds (the application's own, a build's) are not
// problems: a log holds more than migrations. A file counts as a deploy
// log when at least one line is a migration event.
func (r *reader) deployLog(name, text string) int {
	var events []DeployEvent
	var lastErrorLine *DeployEvent
	for i, raw := range strings.Split(text, "\n") {
		ln := i + 1
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		st, rest, hasTime := leadingStamp(line, r.ev.Zone)
		rest = stripLogPrefix(rest)
		var ev DeployEvent
		ok := false
		if r.opts.DeployPattern != nil {
			ev, ok = r.patternLine(line)
			if ok {
				if !ev.At.IsZero() {
					st, hasTime = stamp{t: ev.At, hasDate: ev.HasDate}, true
				}
			}
		}
		for _, s := range deployShapes {
			if ok {
				break
			}
			if ev, ok = s.read(rest); ok {
				ev.Tool = s.tool
			}
		}
		if !ok {
			// A failed migration's details follow on lines of their own
			// (Flyway's "Error Code : 1205", "Message : ...").
			// golang-migrate writes the failed statement over several
			// lines, then "(details: Error 1205: ...)".
			if lastErrorLine != nil {
				if m := flywayDetailRe.FindStringSubmatch(rest); m != nil {
					lastErrorLine.Error = strings.TrimSpace(lastErrorLine.Error + " " + m[1] + ": " + m[2])
				} else if m := gmDetailsRe.FindStringSubmatch(line); m != nil {
					lastErrorLine.Error = strings.TrimSpace(lastErrorLine.Error + " (details: " + m[1] + ")")
				}
			}
			continue
		}
		ev.File, ev.Line, ev.Text = name, ln, line
		if hasTime {
			ev.At, ev.HasDate = st.t, st.hasDate
			if !st.hasDate {
				ev.At = time.Date(0, 1, 1, st.t.Hour(), st.t.Minute(), st.t.Second(), st.t.Nanosecond(), r.ev.Zone)
			}
		} else {
			r.problem(name, ln, "%s line without a time: used for what ran and in which order, not for when", ev.Tool)
		}
		events = append(events, ev)
		if ev.Event == EventFail {
			lastErrorLine = &events[len(events)-1]
		} else {
			lastErrorLine = nil
		}
	}
	r.ev.Deploy = append(r.ev.Deploy, events...)
	return len(events)
}

// stripLogPrefix drops a logger's level and source after the time:
// "INFO 1 --- [main] o.f.c.i.c.DbMigrate : ", "[INFO] ", "INFO [liquibase.changelog] ".
var logPrefixRe = regexp.MustCompile(`^(?:\[?(?:INFO|WARN|WARNING|ERROR|SEVERE|DEBUG|FINE)\]?\s+)(?:\d+\s+---\s+)?(?:\[[^\]]*\]\s+)?(?:[A-Za-z0-9_.$]+\s*(?::|-)\s+)?`)

func stripLogPrefix(s string) string {
	if m := logPrefixRe.FindStringIndex(s); m != nil {
		return s[m[1]:]
	}
	return s
}

// golang-migrate's CLI: "20240306/u unique_account_fund_day (72.3s)", with
// -verbose "Start buffering 20240306/u name", "Read and execute 20240306/u
// name", "Finished 20240306/u name (read 1ms, ran 72.3s)"; a failure is
// "error: migration failed: ... in line N: STATEMENT (details: ...)" or
// "error: Dirty database version 20240306. Fix and force version."
var (
	gmLineRe     = regexp.MustCompile(`^(?:(Start buffering|Read and execute|Finished) )?(\d+)/(u|d) ([^(]*?)\s*(?:\((?:read [^,]+, ran )?([0-9.]+(?:ns|µs|us|ms|s|m|h)[0-9.a-zµ]*)\))?$`)
	gmErrorRe    = regexp.MustCompile(`^error: (.*)$`)
	gmDirtyRe    = regexp.MustCompile(`Dirty database version (\d+)`)
	gmFinishedRe = regexp.MustCompile(`^Finished after ([0-9.]+[a-zµ]+)`)
	gmDetailsRe  = regexp.MustCompile(`\(details: (.*)\)\s*$`)
)

func golangMigrateLine(rest string) (DeployEvent, bool) {
	if m := gmLineRe.FindStringSubmatch(rest); m != nil {
		ev := DeployEvent{Version: m[2], Name: strings.TrimSpace(m[4])}
		if m[3] == "d" {
			ev.Name += " (down)"
		}
		switch m[1] {
		case "Start buffering":
			return DeployEvent{}, false // buffering is reading the file, not running it
		case "Read and execute":
			ev.Event = EventStart
		default:
			ev.Event = EventDone
			if m[5] != "" {
				ev.Duration, _ = time.ParseDuration(m[5])
			}
		}
		return ev, true
	}
	if m := gmErrorRe.FindStringSubmatch(rest); m != nil {
		ev := DeployEvent{Event: EventFail, Error: m[1]}
		if d := gmDetailsRe.FindStringSubmatch(m[1]); d != nil {
			ev.Error = "details: " + d[1]
		}
		if d := gmDirtyRe.FindStringSubmatch(m[1]); d != nil {
			ev.Version = d[1]
		}
		return ev, true
	}
	if m := gmFinishedRe.FindStringSubmatch(rest); m != nil {
		d, _ := time.ParseDuration(m[1])
		return DeployEvent{Event: EventSummary, Duration: d}, true
	}
	return DeployEvent{}, false
}

// goose: "OK   20240306_unique_account_fund_day.sql (72.31s)", "goose run:
// ERROR 20240306_x.sql: failed to run SQL migration: ...", newer "ERROR
// 20240306_x.sql: ..." and "successfully migrated database to version: N".
var (
	gooseOKRe    = regexp.MustCompile(`^OK\s+(\d+)_([^\s]*?)\.(?:sql|go)\s*(?:\(([0-9.]+[a-zµ]+)\))?$`)
	gooseErrRe   = regexp.MustCompile(`^(?:goose run: |failed to run: )?(?:ERROR |error: )?(\d+)_([^\s:]*?)\.(?:sql|go): (.*)$`)
	gooseDoneRe  = regexp.MustCompile(`^(?:goose: )?successfully migrated database to version: (\d+)`)
	gooseNoneRe  = regexp.MustCompile(`^(?:goose: )?no migrations to run`)
	gooseEmptyRe = regexp.MustCompile(`^EMPTY\s+(\d+)_([^\s]*?)\.sql`)
)

func gooseLine(rest string) (DeployEvent, bool) {
	if m := gooseOKRe.FindStringSubmatch(rest); m != nil {
		ev := DeployEvent{Event: EventDone, Version: m[1], Name: m[2]}
		if m[3] != "" {
			ev.Duration, _ = time.ParseDuration(m[3])
		}
		return ev, true
	}
	if m := gooseEmptyRe.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventDone, Version: m[1], Name: m[2]}, true
	}
	if m := gooseErrRe.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventFail, Version: m[1], Name: m[2], Error: m[3]}, true
	}
	if m := gooseDoneRe.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventSummary, Version: m[1]}, true
	}
	if gooseNoneRe.MatchString(rest) {
		return DeployEvent{Event: EventSummary}, true
	}
	return DeployEvent{}, false
}

// Flyway: `Migrating schema "app" to version "20240306 - unique account
// fund day"` (quotes, backticks or brackets around the names; older
// versions none around the version), `Migration of schema "app" to
// version "..." failed!`, "Migration V20240306__x.sql failed", the
// "Error Code : 1205" / "Message : ..." lines after it, and "Successfully
// applied 3 migrations to schema "app"[, now at version v20240401]
// (execution time 01:12.345s)".
var (
	flywayStartRe   = regexp.MustCompile("^Migrating schema [\"`\\[]?([^\"`\\]]*)[\"`\\]]? to version [\"`\\[]?([0-9][0-9._]*)(?: - ([^\"`\\]]*))?[\"`\\]]?(?: \\[non-transactional\\])?\\s*$")
	flywayFailRe    = regexp.MustCompile("^(?:ERROR: )?Migration of schema [\"`\\[]?[^\"`\\]]*[\"`\\]]? to version [\"`\\[]?([0-9][0-9._]*)(?: - ([^\"`\\]]*))?[\"`\\]]? failed")
	flywayFail2Re   = regexp.MustCompile(`^(?:ERROR: )?Migration V([0-9][0-9._]*)__(\S+?)\.sql failed`)
	flywayAppliedRe = regexp.MustCompile(`^Successfully applied (\d+) migrations? to schema \S+(?:, now at version v(\S+))? \(execution time (\d+):(\d+)\.(\d+)s\)`)
	flywayDetailRe  = regexp.MustCompile(`^(Error Code|Message|SQL State)\s*:\s*(.*)$`)
)

func flywayLine(rest string) (DeployEvent, bool) {
	if m := flywayStartRe.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventStart, Version: strings.ReplaceAll(m[2], "_", "."), Name: m[3]}, true
	}
	if m := flywayFailRe.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventFail, Version: strings.ReplaceAll(m[1], "_", "."), Name: m[2]}, true
	}
	if m := flywayFail2Re.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventFail, Version: strings.ReplaceAll(m[1], "_", "."), Name: strings.ReplaceAll(m[2], "_", " ")}, true
	}
	if m := flywayAppliedRe.FindStringSubmatch(rest); m != nil {
		min, _ := strconv.Atoi(m[3])
		sec, _ := strconv.Atoi(m[4])
		ms, _ := strconv.Atoi((m[5] + "000")[:3])
		return DeployEvent{Event: EventSummary, Version: m[2], Duration: time.Duration(min)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond}, true
	}
	return DeployEvent{}, false
}

// Liquibase: "Running Changeset: changelog.sql::20240306::alice", "ChangeSet
// changelog.sql::20240306::alice ran successfully in 72312ms", "ChangeSet
// ... encountered an exception", "Migration failed for changeset
// changelog.sql::20240306::alice:". The version is the changeset's id.
var (
	lbRunningRe = regexp.MustCompile(`^Running Changeset: ?(\S+?)::(\S+?)::(\S+)`)
	lbRanRe     = regexp.MustCompile(`^ChangeSet (\S+?)::(\S+?)::(\S+?) ran successfully in (\d+)\s*ms`)
	lbFailRe    = regexp.MustCompile(`^(?:.*Migration failed for changeset |ChangeSet )(\S+?)::(\S+?)::([^\s:]+):?(?: encountered an exception\.?)?\s*(.*)$`)
)

func liquibaseLine(rest string) (DeployEvent, bool) {
	if m := lbRunningRe.FindStringSubmatch(rest); m != nil {
		return DeployEvent{Event: EventStart, Version: m[2], Name: m[1] + "::" + m[3]}, true
	}
	if m := lbRanRe.FindStringSubmatch(rest); m != nil {
		ms, _ := strconv.ParseInt(m[4], 10, 64)
		return DeployEvent{Event: EventDone, Version: m[2], Name: m[1] + "::" + m[3], Duration: time.Duration(ms) * time.Millisecond}, true
	}
	if strings.Contains(rest, "Migration failed for changeset") || strings.Contains(rest, "encountered an exception") {
		if m := lbFailRe.FindStringSubmatch(rest); m != nil {
			return DeployEvent{Event: EventFail, Version: m[2], Name: m[1] + "::" + m[3], Error: strings.TrimSpace(m[4])}, true
		}
	}
	return DeployEvent{}, false
}

// patternLine reads a line with the user's --deploy-log-pattern: named
// groups time and version, optionally event, name, duration, error.
func (r *reader) patternLine(line string) (DeployEvent, bool) {
	re := r.opts.DeployPattern
	m := re.FindStringSubmatch(line)
	if m == nil {
		return DeployEvent{}, false
	}
	ev := DeployEvent{Tool: "pattern", Event: EventStart}
	for i, g := range re.SubexpNames() {
		v := strings.TrimSpace(m[i])
		switch g {
		case "time":
			if st, ok := parseStamp(v, r.ev.Zone); ok {
				ev.At, ev.HasDate = st.t, st.hasDate
			}
		case "version":
			ev.Version = v
		case "name":
			ev.Name = v
		case "event":
			ev.Event = patternEvent(v)
		case "duration":
			if d, err := time.ParseDuration(v); err == nil {
				ev.Duration = d
			} else if ms, err := strconv.ParseFloat(v, 64); err == nil {
				ev.Duration = time.Duration(ms * float64(time.Second))
			}
		case "error":
			ev.Error = v
			if v != "" {
				ev.Event = EventFail
			}
		}
	}
	return ev, ev.Version != "" || ev.Event == EventFail
}

// patternEvent reads the event group's word.
func patternEvent(w string) string {
	w = strings.ToLower(w)
	switch {
	case strings.Contains(w, "fail") || strings.Contains(w, "error"):
		return EventFail
	case w == "ran" || w == "executed" || strings.Contains(w, "done") || strings.Contains(w, "applied") || strings.Contains(w, "finish") || strings.Contains(w, "ok") || strings.Contains(w, "success") || strings.Contains(w, "complete"):
		return EventDone
	}
	return EventStart
}

// A generic line: a migration word and a version of 8 or more digits (the
// timestamp versions most runners use), e.g. "12:00:01 applying migration
// 20240306 ...". Other shapes: --deploy-log-pattern.
var genericRe = regexp.MustCompile(`(?i)\b(migrating|migrate|applying|applied|running|ran|executing|executed|finished|done|failed|error)\b.*?\b(\d{8,14})\b`)

func genericLine(rest string) (DeployEvent, bool) {
	m := genericRe.FindStringSubmatch(rest)
	if m == nil {
		return DeployEvent{}, false
	}
	return DeployEvent{Event: patternEvent(m[1]), Version: m[2]}, true
}
