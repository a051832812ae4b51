package scope

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/snapshot"
)

// ForSnapshot is the scope of a scratch database standing in for snap's
// databases, with production's sql_mode.
func ForSnapshot(scratch string, snap *snapshot.Snapshot) *Scope {
	s := &Scope{Scratch: scratch, SQLMode: snap.Settings["sql_mode"]}
	for _, sc := range snap.Schemas {
		s.Databases = append(s.Databases, sc.Name)
	}
	return s
}

// Confined maps statement texts to their confined texts.
type Confined map[string]string

// Text is the confined text of a statement (itself when it needs no change).
func (c Confined) Text(s string) string {
	if t, ok := c[s]; ok {
		return t
	}
	return s
}

// Migrations checks every up and down statement of ms, script by script,
// and returns their confined texts; the first statement that cannot be
// confined is a *Violation with its file and line.
func (s *Scope) Migrations(ms []*migrations.Migration) (Confined, error) {
	out := Confined{}
	for _, m := range ms {
		for _, sc := range []*migrations.Script{&m.Up, m.Down} {
			if sc.Empty() {
				continue
			}
			confined, err := s.Script(sc.Statements)
			if err != nil {
				return nil, err
			}
			for i, st := range sc.Statements {
				if confined[i].Text != st.Text {
					out[st.Text] = confined[i].Text
				}
			}
		}
	}
	return out, nil
}

// Snapshot returns a copy of snap whose CREATE statements (tables, views,
// routines, triggers, events, history tables) are confined to the scratch
// database; the first that cannot be is a *Violation naming the object.
func (s *Scope) Snapshot(snap *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	cp := *snap
	cp.Schemas = make([]snapshot.Schema, len(snap.Schemas))
	check := func(what, mode, sql string) (string, error) {
		sc := *s
		if mode != "" {
			sc.SQLMode = mode
		}
		out, err := sc.Check(sql)
		if v, ok := err.(*Violation); ok {
			v.What = what
		}
		return out, err
	}
	var err error
	for i, src := range snap.Schemas {
		sc := src
		sc.Tables = append([]snapshot.Table(nil), src.Tables...)
		sc.Views = append([]snapshot.View(nil), src.Views...)
		sc.Triggers = append([]snapshot.Trigger(nil), src.Triggers...)
		sc.Routines = append([]snapshot.Routine(nil), src.Routines...)
		sc.Events = append([]snapshot.Event(nil), src.Events...)
		name := func(kind, n string) string { return fmt.Sprintf("%s %s.%s", kind, src.Name, n) }
		for j := range sc.Tables {
			if sc.Tables[j].CreateSQL, err = check(name("table", sc.Tables[j].Name), "", sc.Tables[j].CreateSQL); err != nil {
				return nil, err
			}
		}
		for j := range sc.Views {
			if sc.Views[j].CreateSQL, err = check(name("view", sc.Views[j].Name), "", sc.Views[j].CreateSQL); err != nil {
				return nil, err
			}
		}
		for j := range sc.Routines {
			r := &sc.Routines[j]
			if r.CreateSQL, err = check(name("routine", r.Name), r.SQLMode, r.CreateSQL); err != nil {
				return nil, err
			}
		}
		for j := range sc.Triggers {
			t := &sc.Triggers[j]
			if t.CreateSQL, err = check(name("trigger", t.Name), t.SQLMode, t.CreateSQL); err != nil {
				return nil, err
			}
		}
		for j := range sc.Events {
			e := &sc.Events[j]
			if e.CreateSQL, err = check(name("event", e.Name), e.SQLMode, e.CreateSQL); err != nil {
				return nil, err
			}
		}
		cp.Schemas[i] = sc
	}
	cp.History = append([]snapshot.History(nil), snap.History...)
	for i := range cp.History {
		h := &cp.History[i]
		if h.CreateSQL == "" {
			continue
		}
		if h.CreateSQL, err = check("history table "+h.Schema+"."+h.Table, "", h.CreateSQL); err != nil {
			return nil, err
		}
	}
	return &cp, nil
}
