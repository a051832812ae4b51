package evidence

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pt-stalk names every file of a collection <prefix>-<what>, the prefix
// being the time it started: 2026_12_07_15_25_22-processlist.
var ptStalkName = regexp.MustCompile(`^(\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d)-([a-z0-9_-]+)$`)

// ptStalkRead are the pt-stalk files read as evidence; the others (df,
// vmstat, netstat, ...) are skipped.
var ptStalkRead = map[string]bool{"processlist": true, "innodbstatus1": true, "innodbstatus2": true}

// ptStalkClock are pt-stalk files whose TS lines date each collection
// cycle.
var ptStalkClock = []string{"df", "procstat", "diskstats", "meminfo", "procvmstat", "netstat_s", "netstat"}

func skipPtStalkFile(rel string) bool {
	m := ptStalkName.FindStringSubmatch(filepath.Base(rel))
	return m != nil && !ptStalkRead[m[2]]
}

func isPtStalkProcesslist(name, text string) bool {
	if m := ptStalkName.FindStringSubmatch(filepath.Base(name)); m != nil && m[2] == "processlist" {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimLeft(text, "\n"), "\n")
	_, _, ts := parseTS(first)
	return ts && strings.Contains(text, ". row ***")
}

// zoneFromPtStalk reads the zone pt-stalk's TS lines show (they carry the
// epoch and the local time) and every collection's cycle times.
func (r *reader) zoneFromPtStalk(names []string) {
	r.ptTimes = map[string][]time.Time{}
	for _, rel := range names {
		m := ptStalkName.FindStringSubmatch(filepath.Base(rel))
		if m == nil || !isClock(m[2]) || r.ptTimes[m[1]] != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.ev.Dir, rel))
		if err != nil {
			continue
		}
		var times []time.Time
		for _, l := range strings.Split(string(data), "\n") {
			epoch, local, ok := parseTS(l)
			if !ok {
				continue
			}
			times = append(times, epoch)
			if r.ev.ZoneSource == "" || strings.HasPrefix(r.ev.ZoneSource, "UTC (no offset") {
				if lt, err := time.ParseInLocation("2006-01-02 15:04:05", local, time.UTC); err == nil {
					off := lt.Sub(epoch.Truncate(time.Second)).Round(time.Minute)
					r.ev.Zone = time.FixedZone(fmt.Sprintf("UTC%+03d:%02d", int(off.Hours()), abs(int(off.Minutes())%60)), int(off.Seconds()))
					r.ev.ZoneSource = "pt-stalk's TS lines (" + filepath.Base(rel) + ")"
				}
			}
		}
		if len(times) > 0 {
			r.ptTimes[m[1]] = times
		}
	}
}

func isClock(what string) bool {
	for _, c := range ptStalkClock {
		if c == what {
			return true
		}
	}
	return false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// ptStalk reads pt-stalk's processlist file: SHOW FULL PROCESSLIST\G once
// per cycle (--sleep-collect, 1 s by default), each after a TS line in
// pt-stalk 3.3 and later. pt-stalk 3.2 writes no TS line there: the
// cycles are dated by the TS lines of the collection's other files (df,
// procstat, ...), and failing those by the prefix plus one second per
// cycle — a Problem says which.
func (r *reader) ptStalk(name, text string) {
	secs := r.verticalRows(name, text)
	prefix := ""
	if m := ptStalkName.FindStringSubmatch(filepath.Base(name)); m != nil {
		prefix = m[1]
	}
	undated := 0
	for _, s := range secs {
		if !s.hasAt {
			undated++
		}
	}
	if undated > 0 {
		clock := r.ptTimes[prefix]
		switch {
		case len(clock) >= len(secs):
			for i := range secs {
				if !secs[i].hasAt {
					secs[i].at, secs[i].hasAt, secs[i].atSource = stamp{t: clock[i], hasDate: true}, true, "TS line "+strconv.Itoa(i+1)+" of the collection's other files"
				}
			}
			r.problem(name, 0, "no TS line in this processlist file (pt-stalk 3.2): its %d captures are dated by the TS lines of the collection's other files, cycle by cycle", len(secs))
		case prefix != "":
			start, _ := fileNameTime(prefix, r.ev.Zone)
			for i := range secs {
				if !secs[i].hasAt {
					secs[i].at, secs[i].hasAt, secs[i].atSource = stamp{t: start.Add(time.Duration(i) * time.Second), hasDate: true}, true, "assumed: the prefix + 1 s per cycle"
				}
			}
			r.problem(name, 0, "no TS line in this processlist file and no other file of the collection to date its %d captures: assumed one per second from the prefix %s (pt-stalk's default --sleep-collect); add the collection's df or procstat file for their real times", len(secs), start.Format("15:04:05"))
		}
	}
	r.processlist(name, "pt-stalk", secs)
}
