package snapshot

import (
	"encoding/json"
	"regexp"
	"sort"
	"time"
)

// NormalizeOptions say what Normalize keeps.
type NormalizeOptions struct {
	KeepSettings bool // keep Settings (default: cleared)
	KeepHistory  bool // keep History (default: cleared)
}

var (
	autoIncRe = regexp.MustCompile(`\s+AUTO_INCREMENT=\d+`)
	definerRe = regexp.MustCompile("(?i)\\s+DEFINER\\s*=\\s*(`[^`]*`|'[^']*'|[^\\s@]+)@(`[^`]*`|'[^']*'|[^\\s]+)")
)

// Normalize returns a deep copy of s without what differs between two
// captures of the same schema on different servers: time, tool, identity,
// statistics (row counts, sizes, auto-increment counters, cardinalities,
// column aggregates), digests, DEFINER clauses and AUTO_INCREMENT=N table
// options; settings and history unless asked to keep them. Two snapshots of
// the same schema normalise to equal values: this is the round-trip
// property restore is tested against.
func Normalize(s *Snapshot, opts NormalizeOptions) *Snapshot {
	var c Snapshot
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &c)
	c.CreatedAt = time.Time{}
	c.Tool = ""
	c.Source = Source{Flavor: c.Source.Flavor}
	c.Digests = nil
	if !opts.KeepSettings {
		c.Settings = nil
	}
	if !opts.KeepHistory {
		c.History = nil
	}
	for i := range c.History {
		c.History[i].CreateSQL = autoIncRe.ReplaceAllString(c.History[i].CreateSQL, "")
	}
	for si := range c.Schemas {
		sc := &c.Schemas[si]
		for ti := range sc.Tables {
			t := &sc.Tables[ti]
			t.CreateSQL = autoIncRe.ReplaceAllString(t.CreateSQL, "")
			t.Stats = TableStats{}
			for ci := range t.Columns {
				t.Columns[ci].Stats = nil
			}
			for ii := range t.Indexes {
				for k := range t.Indexes[ii].Columns {
					t.Indexes[ii].Columns[k].Cardinality = 0
				}
			}
			for pi := range t.Partitions {
				t.Partitions[pi].Rows = 0
			}
		}
		for i := range sc.Views {
			sc.Views[i].CreateSQL = definerRe.ReplaceAllString(sc.Views[i].CreateSQL, "")
		}
		for i := range sc.Triggers {
			sc.Triggers[i].CreateSQL = definerRe.ReplaceAllString(sc.Triggers[i].CreateSQL, "")
		}
		for i := range sc.Routines {
			sc.Routines[i].CreateSQL = definerRe.ReplaceAllString(sc.Routines[i].CreateSQL, "")
		}
		for i := range sc.Events {
			sc.Events[i].CreateSQL = definerRe.ReplaceAllString(sc.Events[i].CreateSQL, "")
		}
	}
	return &c
}

func sortStrings(s []string) { sort.Strings(s) }
