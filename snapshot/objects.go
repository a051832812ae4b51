package snapshot

import (
	"context"
	"fmt"
)

// captureViews reads every view of schema with SHOW CREATE VIEW.
func (s *session) captureViews(ctx context.Context, schema string) ([]View, error) {
	rs, err := s.rows(ctx, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", schema)
	if err != nil {
		return nil, fmt.Errorf("list views of %s: %w", schema, err)
	}
	var out []View
	for _, r := range rs {
		name := r.str("table_name")
		create, err := s.showCreate(ctx, "VIEW", schema, name, "create view")
		if err != nil {
			return nil, err
		}
		out = append(out, View{Name: name, CreateSQL: create})
	}
	return out, nil
}

// captureTriggers reads every trigger of schema with SHOW CREATE TRIGGER, in
// the order they fire per table and event.
func (s *session) captureTriggers(ctx context.Context, schema string) ([]Trigger, error) {
	rs, err := s.rows(ctx, `SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, SQL_MODE
		FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
		ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`, schema)
	if err != nil {
		return nil, fmt.Errorf("list triggers of %s: %w", schema, err)
	}
	var out []Trigger
	for _, r := range rs {
		name := r.str("trigger_name")
		create, err := s.showCreate(ctx, "TRIGGER", schema, name, "sql original statement")
		if err != nil {
			return nil, err
		}
		out = append(out, Trigger{Name: name, Table: r.str("event_object_table"), Timing: r.str("action_timing"),
			Event: r.str("event_manipulation"), CreateSQL: create, SQLMode: r.str("sql_mode")})
	}
	return out, nil
}

// captureRoutines reads every stored procedure and function of schema.
func (s *session) captureRoutines(ctx context.Context, schema string) ([]Routine, error) {
	rs, err := s.rows(ctx, `SELECT ROUTINE_NAME, ROUTINE_TYPE, SQL_MODE FROM information_schema.ROUTINES
		WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_TYPE, ROUTINE_NAME`, schema)
	if err != nil {
		return nil, fmt.Errorf("list routines of %s: %w", schema, err)
	}
	var out []Routine
	for _, r := range rs {
		name, typ := r.str("routine_name"), r.str("routine_type")
		col := "create procedure"
		if typ == "FUNCTION" {
			col = "create function"
		}
		create, err := s.showCreate(ctx, typ, schema, name, col)
		if err != nil {
			return nil, err
		}
		out = append(out, Routine{Name: name, Type: typ, CreateSQL: create, SQLMode: r.str("sql_mode")})
	}
	return out, nil
}

// captureEvents reads every scheduled event of schema.
func (s *session) captureEvents(ctx context.Context, schema string) ([]Event, error) {
	rs, err := s.rows(ctx, "SELECT EVENT_NAME, SQL_MODE FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME", schema)
	if err != nil {
		if isAccessDenied(err) {
			return nil, privilegeError(err, "listing events of "+schema, "EVENT", s.flavor, schema)
		}
		return nil, fmt.Errorf("list events of %s: %w", schema, err)
	}
	var out []Event
	for _, r := range rs {
		name := r.str("event_name")
		create, err := s.showCreate(ctx, "EVENT", schema, name, "create event")
		if err != nil {
			return nil, err
		}
		out = append(out, Event{Name: name, CreateSQL: create, SQLMode: r.str("sql_mode")})
	}
	return out, nil
}
