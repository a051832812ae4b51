package evidence

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/rehearse/rehearse/snapshot"
)

// Problem is a line of evidence that could not be read as it stands, or a
// value the reader had to assume; the rest of the file is still used.
type Problem struct {
	File    string // relative to the evidence folder
	Line    int    // 0: the whole file
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Session is one row of a processlist.
type Session struct {
	ID      int64
	User    string
	Host    string
	DB      string
	Command string // Query, Sleep, Connect, Daemon, ...
	State   string // "Waiting for table metadata lock", ...
	Info    string // the statement, "" when NULL
	// Time is the seconds the session has been in its current state
	// (whole seconds from SHOW PROCESSLIST; milliseconds where the
	// capture has TIME_MS). Precise says which.
	Time    float64
	Precise bool
	HasTime bool
	Line    int
}

// Sample is one capture of the processlist.
type Sample struct {
	File string
	Line int
	// Form is how it was written: table, vertical, batch, pt-stalk, csv, json.
	Form string
	// At is when it was taken; zero when the evidence does not say
	// (AtSource then explains, and a Problem was recorded).
	At       time.Time
	AtSource string // "TS line", "time line 3", "file name", "column captured_at", ...
	Sessions []Session
}

// Transaction is one transaction of SHOW ENGINE INNODB STATUS.
type Transaction struct {
	ID       string
	ThreadID int64   // the processlist id; 0 when not shown
	Active   float64 // seconds the transaction has been open at the status's time
	Started  bool    // false: "not started"
	Waiting  bool    // LOCK WAIT
	WaitSec  float64 // "TRX HAS BEEN WAITING N SEC"
	Query    string
	State    string // the thread's state on the thread id line
	RowLocks int64
	Undo     int64
	// TablesInUse/TablesLocked are "mysql tables in use N, locked M".
	TablesInUse, TablesLocked int
	// Locks are the table and record locks the status lists (all of them
	// with innodb_status_output_locks=ON, else only the one waited for).
	Locks []Lock
	Line  int
}

// Lock is one lock line of a transaction.
type Lock struct {
	Schema, Table string
	Mode          string // IX, X, S, "X locks rec but not gap", ...
	Record        bool   // RECORD LOCKS (else TABLE LOCK)
	Waiting       bool
	Line          int
}

// InnoDBStatus is one SHOW ENGINE INNODB STATUS.
type InnoDBStatus struct {
	File         string
	Line         int
	At           time.Time // the status's own header time ("2026-12-07 15:25:22 ... INNODB MONITOR OUTPUT")
	Transactions []Transaction
}

// DeployEvent is one line of the deploy's log about a migration.
type DeployEvent struct {
	File string
	Line int
	Tool string // golang-migrate, goose, flyway, liquibase, pattern
	// At is the line's time; HasDate is false when the line had a time of
	// day only (placed on a date from other evidence, with a Problem), and
	// At is zero when the line had no time at all.
	At      time.Time
	HasDate bool
	Version string
	Name    string
	// Event: start, done, fail, or summary (the run as a whole).
	Event    string
	Duration time.Duration // the tool's own figure, when it prints one
	Error    string
	Text     string // the line as written (trimmed)
}

// Events of a DeployEvent.
const (
	EventStart   = "start"
	EventDone    = "done"
	EventFail    = "fail"
	EventSummary = "summary"
)

// File is one file of the evidence folder and what it was read as.
type File struct {
	Name    string
	Kind    string // processlist, innodb-status, digests, deploy-log, unknown
	Form    string
	Samples int // processlist samples, transactions, digests or events read
}

// Evidence is everything read from a folder.
type Evidence struct {
	Dir      string
	Files    []File
	Samples  []Sample
	InnoDB   []InnoDBStatus
	Digests  []snapshot.Digest
	Deploy   []DeployEvent
	Problems []Problem
	// Zone is the time zone times without an offset were read in, and
	// ZoneSource why ("UTC", "pt-stalk's TS lines", "--evidence-tz").
	Zone       *time.Location
	ZoneSource string
}

// Options tune Read.
type Options struct {
	// DeployPattern reads deploy log lines of a tool the readers do not
	// know: a regular expression with the named groups time and version
	// (required), and optionally event (start|done|fail, or words like
	// "applying"/"applied"/"error"), name, duration and error.
	DeployPattern *regexp.Regexp
	// Zone reads times without an offset (nil: the zone pt-stalk's TS
	// lines show, else UTC).
	Zone *time.Location
}

// ErrEmpty is returned when a folder holds no file of evidence at all.
var ErrEmpty = errors.New("no evidence")

// maxFile is the largest evidence file read (pt-stalk folders can hold
// big files of other kinds, which are skipped by name before this).
const maxFile = 256 << 20

// Read reads every file of dir (recursively) as evidence. A file of a kind
// it does not know is listed with Kind "unknown" and a Problem; a line it
// cannot read is a Problem; neither stops the rest. The error is for a
// folder that cannot be read or holds no evidence at all.
func Read(dir string, o Options) (*Evidence, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	ev := &Evidence{Dir: dir, Zone: time.UTC, ZoneSource: "UTC (no offset in the evidence)"}
	if o.Zone != nil {
		ev.Zone, ev.ZoneSource = o.Zone, "given"
	}
	var names []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		names = append(names, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	r := &reader{ev: ev, opts: o}
	// pt-stalk's TS lines carry both the epoch and the local time: the
	// zone they show reads every other local time of the folder.
	if o.Zone == nil {
		r.zoneFromPtStalk(names)
	}
	for _, name := range names {
		if skipPtStalkFile(name) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			ev.Problems = append(ev.Problems, Problem{File: name, Message: err.Error()})
			continue
		}
		if len(data) > maxFile {
			ev.Problems = append(ev.Problems, Problem{File: name, Message: fmt.Sprintf("%d bytes: larger than %d MiB, not read", len(data), maxFile>>20)})
			continue
		}
		r.file(name, data)
	}
	r.placeUndated()
	if len(ev.Samples) == 0 && len(ev.InnoDB) == 0 && len(ev.Digests) == 0 && len(ev.Deploy) == 0 {
		return ev, fmt.Errorf("%w in %s: none of its %d files is a processlist, an InnoDB status, a digest export or a deploy log", ErrEmpty, dir, len(names))
	}
	return ev, nil
}

// reader holds one Read's state.
type reader struct {
	ev   *Evidence
	opts Options
	// ptTimes are the cycle times of pt-stalk's other files, by prefix
	// (pt-stalk 3.2 writes no TS line in its processlist file).
	ptTimes map[string][]time.Time
}

func (r *reader) problem(file string, line int, format string, args ...any) {
	r.ev.Problems = append(r.ev.Problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// file reads one file by what its content is.
func (r *reader) file(name string, data []byte) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	f := File{Name: name, Kind: "unknown"}
	before := r.counts()
	switch {
	case strings.TrimSpace(text) == "":
		r.problem(name, 0, "empty file")
	case strings.Contains(text, "INNODB MONITOR OUTPUT"):
		f.Kind, f.Form = "innodb-status", "text"
		r.innodb(name, text)
	case isPtStalkProcesslist(name, text):
		f.Kind, f.Form = "processlist", "pt-stalk"
		r.ptStalk(name, text)
	default:
		secs, form, ok := r.tabular(name, text)
		if ok {
			f.Form = form
			f.Kind = r.records(name, form, secs)
			break
		}
		if n := r.deployLog(name, text); n > 0 {
			f.Kind, f.Form = "deploy-log", r.ev.Deploy[len(r.ev.Deploy)-1].Tool
			break
		}
		r.problem(name, 0, "not read: neither a processlist, an InnoDB status, a digest export nor a deploy log this version knows (docs/reproduce.md lists the forms; a deploy log of another tool: --deploy-log-pattern)")
	}
	after := r.counts()
	f.Samples = after - before
	r.ev.Files = append(r.ev.Files, f)
}

func (r *reader) counts() int {
	n := len(r.ev.Samples) + len(r.ev.Digests) + len(r.ev.Deploy)
	for _, s := range r.ev.InnoDB {
		n += len(s.Transactions) + 1
	}
	return n
}
