package datacache_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// seedSnapshot is the seed incident's production (4 tables, 5.05M rows at
// scale 1), in the flavor of target.
func seedSnapshot(t *testing.T, target testserver.Target) *snapshot.Snapshot {
	t.Helper()
	name := "production.json"
	if target.Options.Flavor == engine.MySQL {
		name = "production.mysql.json"
	}
	snap, err := snapshot.LoadFile(filepath.Join("..", "..", "scenarios", "library", "unique-index-rerun", name))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// smallData is the seed incident at 1/1000 of production: about 5,000 rows.
func smallData(t *testing.T, target testserver.Target, seed uint64) datacache.Data {
	return datacache.Data{Snapshot: seedSnapshot(t, target), Scale: 0.001, Seed: seed}
}

// cacheTargets are the servers the cache is tested on: every local target,
// and the docker ones when REHEARSE_TEST_DOCKER=1 (testserver.Targets).
func cacheTargets(t *testing.T) []testserver.Target {
	return testserver.Targets()
}

// engineTargets are one MariaDB 10.11 server per engine (local, and docker
// when REHEARSE_TEST_DOCKER=1): the integrity tests run on each;
// TestFillThenHit covers every server.
func engineTargets(t *testing.T) []testserver.Target {
	out := []testserver.Target{testserver.LocalMariaDB()}
	for _, tg := range testserver.Targets() {
		if tg.Name == testserver.DockerMariaDB().Name {
			out = append(out, tg)
		}
	}
	return out
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newCache(t *testing.T) (*datacache.Cache, *logBuf) {
	log := &logBuf{}
	return &datacache.Cache{Dir: filepath.Join(t.TempDir(), "data"), Log: log}, log
}

func fill(t *testing.T, c *datacache.Cache, target testserver.Target, d datacache.Data) (*engine.Server, *datacache.Entry) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv, e, err := c.Fill(ctx, target.Engine, target.Options, d, datacache.FillOptions{})
	if err != nil {
		if errors.Is(err, engine.ErrUnavailable) {
			testserver.Unavailable(t, target.Name, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv, e
}

// tableSums are the row counts and full-table checksums of the snapshot's
// tables: the data itself, not the cache's own sample.
func tableSums(t *testing.T, srv *engine.Server, snap *snapshot.Snapshot) map[string]string {
	t.Helper()
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	for _, s := range snap.Schemas {
		for _, tb := range s.Tables {
			var name string
			var sum *int64
			if err := db.QueryRow("CHECKSUM TABLE `"+s.Name+"`.`"+tb.Name+"`").Scan(&name, &sum); err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := db.QueryRow("SELECT COUNT(*) FROM `" + s.Name + "`.`" + tb.Name + "`").Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[name] = jsonString(n) + " rows, checksum " + jsonString(sum)
		}
	}
	return out
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestFillThenHit: the first Fill builds the entry, the second starts on a
// copy of it; both servers hold exactly the rows a plain restore and
// generation give, and a server started on the copy is its own (a write to
// it does not reach the entry).
func TestFillThenHit(t *testing.T) {
	for _, target := range cacheTargets(t) {
		t.Run(target.Name, func(t *testing.T) {
			t.Cleanup(func() { noSandboxLeft(t) }) // runs after the servers' own
			c, log := newCache(t)
			d := smallData(t, target, 7)
			first, e1 := fill(t, c, target, d)
			if e1 == nil || !strings.Contains(log.String(), "no entry") {
				t.Fatalf("first Fill: entry %v, log:\n%s", e1, log)
			}
			want := plainFill(t, target, d)
			if got := tableSums(t, first, d.Snapshot); !equalMaps(got, want) {
				t.Errorf("first Fill's server holds %v; a plain restore and generation %v", got, want)
			}
			db, _ := first.Open("")
			if _, err := db.Exec("DELETE FROM invest.accounts LIMIT 10"); err != nil {
				t.Fatal(err)
			}
			db.Close()
			before := log.String()
			second, e2 := fill(t, c, target, d)
			if strings.Contains(strings.TrimPrefix(log.String(), before), "no entry") || e2 == nil || e2.Manifest.ID != e1.Manifest.ID {
				t.Fatalf("second Fill did not start from the entry; log:\n%s", log)
			}
			if got := tableSums(t, second, d.Snapshot); !equalMaps(got, want) {
				t.Errorf("second Fill's server (from the entry) holds %v; want %v", got, want)
			}
			if e2.Manifest.Generation.Rows == 0 || len(e2.Manifest.Tables) != 4 {
				t.Errorf("manifest: generation %+v, %d tables checked, want 4", e2.Manifest.Generation, len(e2.Manifest.Tables))
			}
		})
	}
}

// plainFill restores and generates d without the cache, on a server of its
// own, and returns its table sums.
func plainFill(t *testing.T, target testserver.Target, d datacache.Data) map[string]string {
	t.Helper()
	ctx := context.Background()
	srv, err := restore.Sandbox(ctx, target.Engine, target.Options, d.Snapshot, restore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := datagen.Generate(ctx, db, d.Snapshot, d.GenerateOptions()); err != nil {
		t.Fatal(err)
	}
	return tableSums(t, srv, d.Snapshot)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCorruptEntries: an entry whose files, rows or manifest are damaged is
// found out when used, removed with a message, and built again.
func TestCorruptEntries(t *testing.T) {
	for _, target := range engineTargets(t) {
		t.Run(target.Name, func(t *testing.T) {
			damages := []struct {
				name   string
				damage func(t *testing.T, e *datacache.Entry)
				says   string
			}{
				{"manifest missing (a partial entry)", func(t *testing.T, e *datacache.Entry) {
					os.Remove(filepath.Join(e.Dir, "manifest.json"))
				}, "partial"},
				{"a file truncated", func(t *testing.T, e *datacache.Entry) {
					f := biggestFile(t, e.Datadir())
					if err := os.Truncate(f, 16384); err != nil {
						t.Fatal(err)
					}
				}, "bytes, the manifest says"},
				{"a file missing", func(t *testing.T, e *datacache.Entry) {
					if err := os.Remove(biggestFile(t, e.Datadir())); err != nil {
						t.Fatal(err)
					}
				}, "is missing"},
				{"a page damaged, the size kept", func(t *testing.T, e *datacache.Entry) {
					f := biggestFile(t, e.Datadir())
					info, err := os.Stat(f)
					if err != nil {
						t.Fatal(err)
					}
					fh, err := os.OpenFile(f, os.O_WRONLY, 0)
					if err != nil {
						t.Fatal(err)
					}
					// A data page past the first ones the server reads at start.
					if _, err := fh.WriteAt([]byte("damaged by TestCorruptEntries"), info.Size()/2+100); err != nil {
						t.Fatal(err)
					}
					fh.Close()
				}, "content differs from the manifest's"},
				{"rows differ from the manifest", func(t *testing.T, e *datacache.Entry) {
					editManifest(t, e, func(m *datacache.Manifest) { m.Tables[0].Rows++ })
				}, "rows, the manifest says"},
				{"a sample differs from the manifest", func(t *testing.T, e *datacache.Entry) {
					editManifest(t, e, func(m *datacache.Manifest) { m.Tables[1].Sample = "0123" })
				}, "sample rows differ"},
			}
			for _, dm := range damages {
				t.Run(dm.name, func(t *testing.T) {
					c, log := newCache(t)
					d := smallData(t, target, 3)
					srv, e := fill(t, c, target, d)
					want := tableSums(t, srv, d.Snapshot)
					_ = srv.Stop(context.Background())
					dm.damage(t, e)
					before := log.String()
					srv2, e2 := fill(t, c, target, d)
					said := strings.TrimPrefix(log.String(), before)
					if !strings.Contains(said, dm.says) || !strings.Contains(said, "no entry") {
						t.Errorf("log after the damage does not say %q and rebuild:\n%s\nwhole log:\n%s", dm.says, said, log)
					}
					if got := tableSums(t, srv2, d.Snapshot); !equalMaps(got, want) {
						t.Errorf("rebuilt data %v, want %v", got, want)
					}
					if e2 == nil || e2.Manifest.CreatedAt.Equal(e.Manifest.CreatedAt) {
						t.Error("the damaged entry was not built again")
					}
				})
			}
		})
	}
}

func biggestFile(t *testing.T, dir string) string {
	t.Helper()
	var best string
	var size int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasSuffix(p, "investments.ibd") {
			if info, _ := d.Info(); info.Size() > size {
				best, size = p, info.Size()
			}
		}
		return nil
	})
	if best == "" {
		t.Fatal("no investments.ibd in the entry")
	}
	return best
}

func editManifest(t *testing.T, e *datacache.Entry, f func(*datacache.Manifest)) {
	t.Helper()
	p := filepath.Join(e.Dir, "manifest.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m datacache.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(&m)
	b, _ = json.Marshal(m)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestInterruptedBuild: a build cancelled (Ctrl-C) leaves no entry and no
// build folder; a build folder left by a killed process is removed once its
// owner is gone.
func TestInterruptedBuild(t *testing.T) {
	for _, target := range engineTargets(t) {
		t.Run(target.Name, func(t *testing.T) {
			c, _ := newCache(t)
			d := smallData(t, target, 5)
			d.Scale = 0.05 // long enough to interrupt
			for _, when := range []string{"while generating", "as the entry is kept"} {
				ctx, cancel := context.WithCancel(context.Background())
				srv, _, err := c.Fill(ctx, target.Engine, target.Options, d, datacache.FillOptions{
					Progress: func(p datagen.Progress) {
						if when == "while generating" && p.Rows > 0 || p.Done {
							cancel()
						}
					},
				})
				cancel()
				if srv != nil {
					srv.Stop(context.Background())
				}
				if err == nil {
					t.Errorf("Fill cancelled %s returned no error", when)
				}
				if es, _ := c.List(); len(es) != 0 {
					t.Errorf("a build cancelled %s left %d entries", when, len(es))
				}
				assertNoBuildFolders(t, c)
			}

			// A process killed while building: its folder stays until it is gone.
			stale := filepath.Join(c.Dir, ".build-999999999-x")
			if err := os.MkdirAll(filepath.Join(stale, "datadir"), 0o700); err != nil {
				t.Fatal(err)
			}
			if removed := c.CleanStale(); len(removed) != 1 {
				t.Errorf("CleanStale removed %v, want the stale build folder", removed)
			}
			assertNoBuildFolders(t, c)
		})
	}
}

func assertNoBuildFolders(t *testing.T, c *datacache.Cache) {
	t.Helper()
	des, _ := os.ReadDir(c.Dir)
	for _, d := range des {
		if strings.HasPrefix(d.Name(), ".build-") || strings.HasPrefix(d.Name(), ".trash-") {
			t.Errorf("left behind: %s", d.Name())
		}
	}
}

// TestNoRoom: an entry larger than the cap is not kept; the rehearsal's
// server goes on, and nothing is left in the cache.
func TestNoRoom(t *testing.T) {
	for _, target := range engineTargets(t) {
		t.Run(target.Name, func(t *testing.T) {
			c, log := newCache(t)
			c.MaxSize = 1 << 20 // smaller than any datadir
			d := smallData(t, target, 9)
			srv, e := fill(t, c, target, d)
			if e != nil {
				t.Error("an entry larger than the cap was kept")
			}
			if !strings.Contains(log.String(), "larger than the cache's cap") {
				t.Errorf("log does not say why nothing was kept:\n%s", log)
			}
			db, _ := srv.Open("")
			defer db.Close()
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM invest.investments").Scan(&n); err != nil || n == 0 {
				t.Errorf("the server after a refused keep: %d rows, %v", n, err)
			}
			if es, _ := c.List(); len(es) != 0 {
				t.Errorf("%d entries kept", len(es))
			}
			assertNoBuildFolders(t, c)
		})
	}
}

// TestConcurrentBuilds: two rehearsals building the same key at once both
// get a server with the right data and leave one good entry.
func TestConcurrentBuilds(t *testing.T) {
	for _, target := range engineTargets(t) {
		t.Run(target.Name, func(t *testing.T) {
			c, log := newCache(t)
			d := smallData(t, target, 11)
			var wg sync.WaitGroup
			servers := make([]*engine.Server, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					servers[i], _, errs[i] = c.Fill(context.Background(), target.Engine, target.Options, d, datacache.FillOptions{})
				}()
			}
			wg.Wait()
			for i, s := range servers {
				if errs[i] != nil {
					t.Fatalf("build %d: %v", i, errs[i])
				}
				defer s.Stop(context.Background())
			}
			a, b := tableSums(t, servers[0], d.Snapshot), tableSums(t, servers[1], d.Snapshot)
			if !equalMaps(a, b) {
				t.Errorf("the two builds' servers differ: %v vs %v", a, b)
			}
			es, _ := c.List()
			if len(es) != 1 {
				t.Fatalf("%d entries, want 1; log:\n%s", len(es), log)
			}
			assertNoBuildFolders(t, c)
			srv, err := es[0].StartVerified(context.Background(), target.Engine, target.Options, d.Snapshot)
			if err != nil {
				t.Fatalf("the entry left by two builds: %v", err)
			}
			srv.Stop(context.Background())
		})
	}
}

// TestEviction: over the cap, the least recently used entry goes; prune
// removes by age and size.
func TestEviction(t *testing.T) {
	for _, target := range engineTargets(t) {
		t.Run(target.Name, func(t *testing.T) {
			c, log := newCache(t)
			s1, e1 := fill(t, c, target, smallData(t, target, 21))
			s1.Stop(context.Background())
			c.MaxSize = e1.Manifest.Allocated * 3 / 2 // room for one entry
			s2, e2 := fill(t, c, target, smallData(t, target, 22))
			s2.Stop(context.Background())
			if e2 == nil {
				t.Fatalf("the second entry was not kept; log:\n%s", log)
			}
			es, _ := c.List()
			if len(es) != 1 || es[0].Manifest.ID != e2.Manifest.ID {
				t.Fatalf("after a second entry over the cap: %d entries (want only the newest); log:\n%s", len(es), log)
			}
			if !strings.Contains(log.String(), "least recently used") {
				t.Errorf("the eviction is not reported:\n%s", log)
			}
			removed, err := c.Prune(context.Background(), datacache.PruneOptions{OlderThan: time.Hour})
			if err != nil || len(removed) != 0 {
				t.Errorf("prune --older-than 1h removed %d (%v), want none", len(removed), err)
			}
			removed, err = c.Prune(context.Background(), datacache.PruneOptions{MaxSize: 1})
			if err != nil || len(removed) != 1 {
				t.Errorf("prune --max-size 1 removed %d (%v), want 1", len(removed), err)
			}
		})
	}
}

// noSandboxLeft fails when a sandbox folder of this process is left (the
// servers of a test are stopped by then: a leftover is a server not
// stopped, such as the one Put shut down).
func noSandboxLeft(t *testing.T) {
	t.Helper()
	des, _ := os.ReadDir(os.TempDir())
	for _, d := range des {
		if strings.HasPrefix(d.Name(), fmt.Sprintf("rehearse-sandbox-%d-", os.Getpid())) {
			t.Errorf("left behind: %s", filepath.Join(os.TempDir(), d.Name()))
		}
	}
}
