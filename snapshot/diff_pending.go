package snapshot

// PendingCheck is one migration of a release as `rehearse diff
// --migrations` sees it against one side: not recorded in that side's
// history, with what its up statements would create.
type PendingCheck struct {
	Side    string   // "A" or "B"
	Runner  string   // the format/runner of the folder
	Version string   // the runner's history key
	File    string   // the up script's file
	Effects []Effect // objects its up statements create or add
	// BelowNewest is the newest applied version when this pending
	// migration is numbered below it ("" otherwise).
	BelowNewest string
}

// Effect is one object a migration's statement creates.
type Effect struct {
	Kind   string // "table", "column", "index", "view", "routine", "trigger"
	Schema string // "" = the side's only/default database
	Table  string
	Name   string // column, index, view, routine or trigger name
	// Absent marks what the statement removes (DROP ...): applied means
	// it is not there.
	Absent bool
}

// pending reports, for each pending migration, whether the side's schema
// already has everything it creates (applied outside the runner), and
// pending migrations numbered below the newest applied one.
func (d *differ) pending() {
	for _, p := range d.opts.Pending {
		snap, name := d.a, "{A}"
		if p.Side == "B" {
			snap, name = d.b, "{B}"
		}
		if p.BelowNewest != "" {
			d.add(DriftHistory, p.Runner+" "+p.Version, "pending in "+name, "", "",
				"migration %s (%s) is pending in %s although %s, numbered after it, is applied: it was cherry-picked or merged out of order; runners that apply in order refuse it (golang-migrate and Flyway skip or fail it) and it runs against a schema its author never saw", p.Version, p.File, name, p.BelowNewest)
		}
		if len(p.Effects) > 0 && allPresent(snap, p.Effects) {
			d.add(DriftHistory, p.Runner+" "+p.Version, "pending in "+name, "", "",
				"migration %s (%s) is pending in %s's history, but everything it creates is already there (%s): it was applied outside the runner, so a rehearsal or a deploy will try to run it again and fail (already exists)", p.Version, p.File, name, effectList(p.Effects))
		}
	}
}

// allPresent reports whether the schema shows every effect: what the
// migration creates is there and what it drops is not. At least one effect
// must be a creation (an absence alone proves nothing).
func allPresent(s *Snapshot, effects []Effect) bool {
	creates := 0
	for _, e := range effects {
		if present(s, e) == e.Absent {
			return false
		}
		if !e.Absent {
			creates++
		}
	}
	return creates > 0
}

func present(s *Snapshot, e Effect) bool {
	for i := range s.Schemas {
		sc := &s.Schemas[i]
		if e.Schema != "" && sc.Name != e.Schema {
			continue
		}
		switch e.Kind {
		case "view":
			for _, v := range sc.Views {
				if eqFold(v.Name, e.Name) {
					return true
				}
			}
		case "routine":
			for _, r := range sc.Routines {
				if eqFold(r.Name, e.Name) {
					return true
				}
			}
		case "trigger":
			for _, t := range sc.Triggers {
				if eqFold(t.Name, e.Name) {
					return true
				}
			}
		default:
			for ti := range sc.Tables {
				t := &sc.Tables[ti]
				if !eqFold(t.Name, e.Table) {
					continue
				}
				switch e.Kind {
				case "table":
					return true
				case "column":
					for _, c := range t.Columns {
						if eqFold(c.Name, e.Name) {
							return true
						}
					}
				case "index":
					for _, ix := range t.Indexes {
						if eqFold(ix.Name, e.Name) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

func eqFold(a, b string) bool { return len(a) == len(b) && (a == b || lower(a) == lower(b)) }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func effectList(es []Effect) string {
	out := ""
	for i, e := range es {
		if i == 3 {
			return out + ", ..."
		}
		if i > 0 {
			out += ", "
		}
		if e.Absent {
			out += "no "
		}
		switch e.Kind {
		case "table":
			out += "table " + e.Table
		case "column", "index":
			out += e.Kind + " " + e.Table + "." + e.Name
		default:
			out += e.Kind + " " + e.Name
		}
	}
	return out
}
