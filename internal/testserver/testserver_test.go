package testserver

import (
	"context"
	"testing"
)

// TestTargets starts every target this machine lists and checks it answers
// with the flavor and version the target asks for.
func TestTargets(t *testing.T) {
	for _, tg := range Targets() {
		t.Run(tg.Name, func(t *testing.T) {
			s := Start(t, tg)
			db, err := s.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var v string
			if err := db.QueryRowContext(context.Background(), "SELECT VERSION()").Scan(&v); err != nil {
				t.Fatal(err)
			}
			if tg.Options.Flavor != "" && s.Flavor != tg.Options.Flavor {
				t.Errorf("flavor %s, want %s (VERSION() = %s)", s.Flavor, tg.Options.Flavor, v)
			}
			if tg.Options.Version != "" && s.Version[:len(tg.Options.Version)] != tg.Options.Version {
				t.Errorf("version %s, want %s", s.Version, tg.Options.Version)
			}
			t.Logf("%s: %s", tg.Name, v)
		})
	}
}
