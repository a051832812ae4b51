package main

import "testing"

// Every command that reads a snapshot and migrations names the database they
// run in --database; plan still takes its old name --schema, hidden, for
// the same value.
func TestInputFlagsOneNamePerMeaning(t *testing.T) {
	root := newRootCmd(&ioStreams{})
	for _, name := range []string{"plan", "run", "capacity", "load-profile", "compare", "reproduce"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Name() != name {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range []string{"config", "snapshot", "migrations", "migrations-format", "migrations-pattern", "database"} {
			if cmd.Flags().Lookup(f) == nil {
				t.Errorf("rehearse %s has no --%s", name, f)
			}
		}
		if s := cmd.Flags().Lookup("schema"); name != "plan" && s != nil {
			t.Errorf("rehearse %s has --schema", name)
		}
	}
	plan, _, _ := root.Find([]string{"plan"})
	if err := plan.ParseFlags([]string{"--schema", "app"}); err != nil {
		t.Fatal(err)
	}
	if s := plan.Flags().Lookup("schema"); !s.Hidden {
		t.Error("plan --schema is not hidden")
	}
	if got := plan.Flags().Lookup("database").Value.String(); got != "app" {
		t.Errorf("plan --schema app: --database is %q", got)
	}
}
