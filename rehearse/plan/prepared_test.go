package plan

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
)

// preparedWant is, per migration of testdata/prepared, the statement whose
// EXECUTE runs an ALTER and the best algorithm/lock each server accepts
// for that ALTER, checked by hand with the mysql client up the ALGORITHM
// ladder on MariaDB 10.11.19 and MySQL 9.7.4 (and the migrations run as
// written: each applies; 000003's EXECUTE reports 3 rows copied).
var preparedWant = []struct {
	version   string
	execute   int    // 1-based statement index of the EXECUTE
	executes  string // what the plan reads it runs; DynamicSQL for 000004
	predicted map[string]string
}{
	{"000001", 3, "ALTER TABLE items ADD COLUMN note varchar(20)", map[string]string{"mariadb": "INSTANT/NONE", "mysql": "INSTANT/NONE"}},
	{"000002", 2, "ALTER TABLE items ADD INDEX ix_name (name)", map[string]string{"mariadb": "NOCOPY/NONE", "mysql": "INPLACE/NONE"}},
	{"000003", 3, "ALTER TABLE items MODIFY qty bigint", map[string]string{"mariadb": "COPY/SHARED", "mysql": "COPY/SHARED"}},
	{"000004", 4, DynamicSQL, map[string]string{"mariadb": "INSTANT/NONE", "mysql": "INSTANT/NONE"}},
}

// TestExecutePrepared: an EXECUTE of a prepared ALTER (a PREPARE'd
// literal, a variable a SET fills with a literal, Mattermost's guarded
// IF(…, 'SELECT 1', 'ALTER …')) is classified, predicted and verified as
// the ALTER it runs, on the EXECUTE's own line; one whose text is built at
// run time is "unknown (dynamic SQL)" with finding RH014, and the replay
// still verifies what it ran. Both flavors, on real servers.
func TestExecutePrepared(t *testing.T) {
	dir := filepath.Join("testdata", "prepared")
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			target.Options.Memory = true
			srv := testserver.Start(t, target)
			applyFile(t, srv, "app", filepath.Join(dir, "setup.sql"))
			snap := capture(t, srv, "app")
			if err := srv.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			set, err := migrations.Load(context.Background(), migrations.Options{Dir: filepath.Join(dir, "migrations")})
			if err != nil {
				t.Fatal(err)
			}
			flavor := string(target.Options.Flavor)
			p := planVerified(t, target, snap, set, nil)
			if len(p.Pending) != len(preparedWant) {
				t.Fatalf("%d pending, want %d", len(p.Pending), len(preparedWant))
			}
			for i, w := range preparedWant {
				pm := p.Pending[i]
				sp := pm.Statements[w.execute-1]
				if sp.Executes != w.executes {
					t.Errorf("%s#%d %q: executes %q, want %q", w.version, w.execute, sp.SQL, sp.Executes, w.executes)
				}
				if sp.Replay == nil || !sp.Replay.OK {
					t.Errorf("%s#%d: replay %+v", w.version, w.execute, sp.Replay)
				}
				want := w.predicted[flavor]
				got := sp.Verified
				if w.executes == DynamicSQL {
					// Not predicted; the replay read the text and verified
					// it on the EXECUTE's inner plan.
					if sp.Predicted != nil {
						t.Errorf("%s#%d: dynamic SQL predicted %+v", w.version, w.execute, *sp.Predicted)
					}
					got = nil
					for k := range sp.Inner {
						if sp.Inner[k].Verified != nil {
							got = sp.Inner[k].Verified
						}
					}
					found := false
					for _, f := range p.Findings {
						for _, pl := range f.Places() {
							if f.Code == codes.DynamicSQL && pl.Line == sp.Line && filepath.Base(pl.File) == filepath.Base(sp.File) {
								found = true
							}
						}
					}
					if !found {
						t.Errorf("%s#%d: no %s finding", w.version, w.execute, codes.DynamicSQL)
					}
				} else if sp.Predicted == nil || sp.Predicted.Algorithm+"/"+sp.Predicted.Lock != want {
					t.Errorf("%s#%d: predicted %+v, want %s", w.version, w.execute, sp.Predicted, want)
				}
				if got == nil || got.Algorithm+"/"+got.Lock != want {
					t.Errorf("%s#%d: verified %+v, want %s", w.version, w.execute, got, want)
				}
			}
			for _, f := range p.Findings {
				if f.Code == codes.DynamicSQL && f.Migration != p.Pending[3].Key {
					t.Errorf("%s for a statement the migration spells out: %s:%d %s", f.Code, f.File, f.Line, f.Message)
				}
			}
		})
	}
}
