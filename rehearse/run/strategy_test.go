package run

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// copyFiles is a release whose one statement copies investments on MariaDB
// 10.11 and MySQL (a column type change).
func copyFiles() map[string]string {
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(18,4) NOT NULL;\n"
	files["000003_index.down.sql"] = "ALTER TABLE investments MODIFY amount DECIMAL(14,2) NOT NULL;\n"
	return files
}

// The same table copy, native and through pt-online-schema-change, on the
// same data under the same load: the native copy blocks writers for most
// of its run; pt-osc blocks them for less than 5% of its run outside its
// cut-over, which it names (its "Swapping tables" line); both leave the
// same table. The data both start from is the same (CHECKSUM TABLE before
// the load).
func TestStrategyPTOSC(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/strategies.sh")
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	for _, c := range []struct {
		target   testserver.Target
		rows     int64
		settings map[string]string // production's
		args     []string          // pt-osc's
	}{
		// MariaDB's default innodb_autoinc_lock_mode=1 makes the triggers'
		// inserts wait for each chunk (TestStrategyPTOSCHazards).
		{testserver.LocalMariaDB(), 300000, map[string]string{"innodb_autoinc_lock_mode": "2"}, []string{"--chunk-time", "0.1"}},
		// MySQL 9's explain_format=TREE makes pt-osc 3.2.1 copy in one chunk.
		{testserver.LocalMySQL(), 200000, nil, []string{"--set-vars", "explain_format=TRADITIONAL,lock_wait_timeout=60", "--chunk-time", "0.1"}},
	} {
		target := c.target
		t.Run(target.Name, func(t *testing.T) {
			testserver.Need(t, target)
			snap := sourceSnapshot(t, target, c.rows)
			set := writeMigrations(t, copyFiles())
			probe := loadtest.StartProbe(t)
			settings := c.settings
			native := rehearseRun(t, target, snap, set, func(o *Options) {
				o.Strategy = StrategyOptions{Name: StrategyNative}
				o.SkipRollback = true
				o.EngineOptions.Settings = settings
			})
			osc := rehearseRun(t, target, snap, set, func(o *Options) {
				o.Strategy = StrategyOptions{Name: StrategyPTOSC, PTOSCArgs: c.args}
				o.SkipRollback = true
				o.EngineOptions.Settings = settings
			})
			n, p := stmt(t, native, "3", 1), stmt(t, osc, "3", 1)
			t.Logf("native: %.3f s, algorithm %s, blocked %.0f%%, longest stall %.3f s, cut-over stall %.3f s", n.DurationS, n.Algorithm, 100*n.BlockedShare, n.LongestStallS, n.CutOverStallS)
			t.Logf("pt-osc: %.3f s, blocked %.1f%% (%.1f%% outside the cut-over), longest stall %.3f s, cut-over stall %.3f s\n%s", p.DurationS, 100*p.BlockedShare, 100*p.BlockedShareOutsideCutOver, p.LongestStallS, p.CutOverStallS, strings.Join(p.ToolOutput, "\n"))
			if n.Status != "ok" || p.Status != "ok" {
				t.Fatalf("native %s %q, pt-osc %s %q", n.Status, n.Error, p.Status, p.Error)
			}
			if n.Strategy != "" || p.Strategy != StrategyPTOSC || !strings.Contains(p.Tool, "pt-online-schema-change") {
				t.Fatalf("strategies %q / %q (%s), want native / pt-osc", n.Strategy, p.Strategy, p.Tool)
			}
			// The native copy: the monitor's writer waits cover most of
			// it. What they may miss is the sampling's accuracy at both
			// ends plus the test process's lateness.
			late := probe.Worst()
			slack := (2*tolerance + late).Seconds() / n.DurationS
			if n.BlockedShare < 0.9-slack {
				t.Errorf("native copy blocked writers for %.0f%% of its %.3f s run, want ≥ 90%% (less %.0f%% of measurement slack)", 100*n.BlockedShare, n.DurationS, 100*slack)
			}
			// pt-osc: the cut-over is where the tool said, inside its run.
			if p.CutOverS <= p.StartS || p.CutOverS > p.StartS+p.DurationS {
				t.Errorf("pt-osc cut-over at %.3f s, outside its run %.3f–%.3f s", p.CutOverS, p.StartS, p.StartS+p.DurationS)
			}
			if p.BlockedShareOutsideCutOver >= 0.05 {
				t.Errorf("pt-osc blocked writers for %.1f%% of its run outside the cut-over, want < 5%%", 100*p.BlockedShareOutsideCutOver)
			}
			if p.CutOverStallS > n.CutOverStallS {
				t.Errorf("pt-osc's cut-over stall %.3f s exceeds the native copy's %.3f s", p.CutOverStallS, n.CutOverStallS)
			}
			ns, ps := native.Strategy, osc.Strategy
			if ns == nil || ps == nil {
				t.Fatal("no strategy section in the reports")
			}
			if ns.Checksums["investments"] == "" || ns.Checksums["investments"] != ps.Checksums["investments"] {
				t.Errorf("checksums before the load: native %v, pt-osc %v: not the same data", ns.Checksums, ps.Checksums)
			}
			if ns.TableDigests["investments"] != ps.TableDigests["investments"] {
				t.Errorf("investments after the release differs: native %s, pt-osc %s", ns.TableDigests["investments"], ps.TableDigests["investments"])
			}
			if len(ps.Leftovers) > 0 {
				t.Errorf("pt-osc left %v", ps.Leftovers)
			}
			if len(p.StrategyNotes) > 0 {
				t.Errorf("notes %q on a server set up for pt-osc", p.StrategyNotes)
			}
			if len(ps.Applied) != 1 || !strings.Contains(ps.Applied[0], "pt-osc") {
				t.Errorf("applied %v, want 3#1 through pt-osc", ps.Applied)
			}
		})
	}
}

func rehearseCompare(t *testing.T, target testserver.Target, snap *snapshot.Snapshot, set *migrations.Set, strategies []string, mod func(*Options)) *result.Comparison {
	t.Helper()
	return rehearseCompareN(t, target, snap, set, strategies, 1, mod)
}

// rehearseCompareN compares strategies on a release of n statements.
func rehearseCompareN(t *testing.T, target testserver.Target, snap *snapshot.Snapshot, set *migrations.Set, strategies []string, n int, mod func(*Options)) *result.Comparison {
	t.Helper()
	o := Options{
		Snapshot: snap, Migrations: set, Engine: target.Engine, EngineOptions: target.Options,
		Scale: 1, Seed: 7, LoadRate: 200, Baseline: time.Second, AppCompatWindow: 200 * time.Millisecond, SkipRollback: true,
		DataCache: &datacache.Cache{Dir: filepath.Join(t.TempDir(), "data")},
	}
	if testing.Verbose() {
		o.Log = os.Stderr
	}
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := Compare(ctx, o, strategies)
	if err != nil {
		t.Fatalf("compare: %v", err)
	}
	if !c.SameData {
		t.Errorf("not the same data: %s", c.SameDataNote)
	}
	for i, r := range c.Runs {
		if r.Cached != (i > 0) {
			t.Errorf("%s: cached %v, want the first run to generate and the others to start from its datadir", r.Strategy, r.Cached)
		}
	}
	if len(c.Statements) != n {
		t.Fatalf("%d statements compared, want %d", len(c.Statements), n)
	}
	for _, st := range c.Statements {
		for _, f := range st.By {
			t.Logf("%-11s %-6s %-8s %6.3fs blocked %5.1f%% (outside cut-over %5.1f%%) longest %.3fs cut-over %.3fs same %v %s", f.Strategy, f.Status, f.Algorithm, f.DurationS,
				100*f.BlockedShare, 100*f.BlockedShareOutsideCutOver, f.LongestStallS, f.CutOverStallS, f.SchemaIdentical, f.Error)
		}
		t.Logf("recommended %s: %s", st.Recommended, st.Why)
	}
	return c
}

func figures(c *result.Comparison, strategy string) result.StrategyFigures {
	for _, f := range c.Statements[0].By {
		if f.Strategy == strategy {
			return f
		}
	}
	return result.StrategyFigures{}
}

// An INSTANT change: native wins, and the recommendation says why (the
// server's INSTANT blocked no writer, pt-osc copies the table for nothing).
// online-copy is refused on 10.11, which has no online table copy.
func TestCompareInstant(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/strategies.sh")
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	snap := sourceSnapshot(t, target, 20000)
	set := writeMigrations(t, baseFiles()) // ADD COLUMN channel: INSTANT
	c := rehearseCompare(t, target, snap, set, []string{StrategyNative, StrategyPTOSC}, func(o *Options) {
		o.Strategy.PTOSCArgs = []string{"--chunk-time", "0.1"}
	})
	st := c.Statements[0]
	n, p := figures(c, StrategyNative), figures(c, StrategyPTOSC)
	if n.Algorithm != "INSTANT" || p.Status != "ok" {
		t.Fatalf("native %s (%s), pt-osc %s %q", n.Algorithm, n.Status, p.Status, p.Error)
	}
	if st.Recommended != StrategyNative || !strings.HasPrefix(st.Why, "native (INSTANT)") || !strings.Contains(st.Why, "only adds a table copy") {
		t.Errorf("recommended %s: %s; want native, INSTANT named", st.Recommended, st.Why)
	}
	if p.DurationS <= n.DurationS {
		t.Errorf("pt-osc %.3f s, native INSTANT %.3f s: the copy should take longer", p.DurationS, n.DurationS)
	}

	_, err := Run(context.Background(), Options{Snapshot: snap, Migrations: set, Engine: target.Engine, EngineOptions: target.Options,
		Scale: 0.05, Seed: 7, Baseline: 100 * time.Millisecond, Strategy: StrategyOptions{Name: StrategyOnlineCopy}})
	if err == nil || !strings.Contains(err.Error(), "online-copy") || !strings.Contains(err.Error(), "11.2") {
		t.Errorf("online-copy on MariaDB 10.11: %v, want a refusal naming MariaDB 11.2", err)
	}
}

// MariaDB 11.8 copies a table online (ALGORITHM=COPY, LOCK=NONE): the
// same copy native (which on 11.8 is that online copy already),
// as online-copy and through pt-osc, on the same data.
func TestCompareOnlineCopy(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/strategies.sh")
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMariaDB118()
	testserver.Need(t, target)
	snap := sourceSnapshot(t, target, 200000)
	set := writeMigrations(t, copyFiles())
	c := rehearseCompare(t, target, snap, set, []string{StrategyNative, StrategyOnlineCopy, StrategyPTOSC}, func(o *Options) {
		o.EngineOptions.Settings = map[string]string{"innodb_autoinc_lock_mode": "2"}
		o.Strategy.PTOSCArgs = []string{"--chunk-time", "0.1"}
	})
	oc := figures(c, StrategyOnlineCopy)
	if oc.Status != "ok" {
		t.Fatalf("online-copy: %s %q", oc.Status, oc.Error)
	}
	if oc.SchemaIdentical == nil || !*oc.SchemaIdentical {
		t.Errorf("online-copy left another table: %v", oc.SchemaDiff)
	}
	if oc.BlockedShareOutsideCutOver >= 0.05 {
		t.Errorf("online-copy blocked writers for %.1f%% of its run outside its final lock, want < 5%%", 100*oc.BlockedShareOutsideCutOver)
	}
	for _, r := range c.Runs {
		if r.Strategy == StrategyOnlineCopy && (r.Report.Strategy == nil || len(r.Report.Strategy.Applied) != 1) {
			t.Errorf("online-copy applied to %v", r.Report.Strategy)
		}
	}
}

// What production's defaults do to pt-osc 3.2.1, measured: on MySQL 9.7,
// explain_format=TREE hides EXPLAIN's rows column, pt-osc takes the table
// for empty and copies it in one chunk (every row share-locked until the
// copy ends); on MariaDB 10.11, innodb_autoinc_lock_mode=1 makes the
// triggers' inserts into the new table wait for each chunk. The report
// names both, and writers are blocked far longer outside the cut-over than
// with the fixed settings (TestStrategyPTOSC).
func TestStrategyPTOSCHazards(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/strategies.sh")
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	for _, c := range []struct {
		target testserver.Target
		note   string
	}{
		{testserver.LocalMariaDB(), "innodb_autoinc_lock_mode=1"},
		{testserver.LocalMySQL(), "explain_format=TREE"},
	} {
		target := c.target
		t.Run(target.Name, func(t *testing.T) {
			testserver.Need(t, target)
			snap := sourceSnapshot(t, target, 200000)
			set := writeMigrations(t, copyFiles())
			rep := rehearseRun(t, target, snap, set, func(o *Options) {
				o.Strategy = StrategyOptions{Name: StrategyPTOSC}
				o.SkipRollback = true
			})
			p := stmt(t, rep, "3", 1)
			t.Logf("pt-osc: %.3f s, blocked %.1f%% (%.1f%% outside the cut-over), longest stall %.3f s, cut-over stall %.3f s, write errors %v\nnotes: %q",
				p.DurationS, 100*p.BlockedShare, 100*p.BlockedShareOutsideCutOver, p.LongestStallS, p.CutOverStallS, p.During.Errors, p.StrategyNotes)
			if !strings.Contains(strings.Join(p.StrategyNotes, " "), c.note) {
				t.Errorf("notes %q, want %s named", p.StrategyNotes, c.note)
			}
			if p.BlockedShareOutsideCutOver < 0.05 {
				t.Errorf("pt-osc with %s blocked writers for %.1f%% of its run outside the cut-over: the hazard did not show", c.note, 100*p.BlockedShareOutsideCutOver)
			}
		})
	}
}

// What pt-osc refuses, reported rather than hidden: a table without a
// primary key, a table that already has triggers, a table other tables'
// foreign keys reference. Each statement fails under pt-osc with the tool's
// own last line; native applies all three; the recommendation says native
// and names pt-osc's failure.
func TestComparePTOSCRefusals(t *testing.T) {
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	snap := snapshotOf(t, target, `
CREATE DATABASE app;
CREATE TABLE app.events (at DATETIME NOT NULL, kind VARCHAR(16) NOT NULL, payload VARCHAR(64) NULL) ENGINE=InnoDB;
CREATE TABLE app.accounts (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(10,2) NOT NULL) ENGINE=InnoDB;
CREATE TABLE app.audit (id INT AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL, at DATETIME NOT NULL) ENGINE=InnoDB;
CREATE TRIGGER app.accounts_audit AFTER UPDATE ON app.accounts FOR EACH ROW INSERT INTO app.audit (account_id, at) VALUES (NEW.id, NOW());
CREATE TABLE app.customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(80) NOT NULL) ENGINE=InnoDB;
CREATE TABLE app.orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES app.customers (id)) ENGINE=InnoDB;
CREATE TABLE app.schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL);
INSERT INTO app.schema_migrations VALUES (2, 0);
`, map[string]int64{"events": 3000, "accounts": 2000, "audit": 2000, "customers": 2000, "orders": 3000})
	files := baseFiles()
	files["000003_index.up.sql"] = "ALTER TABLE events MODIFY payload VARCHAR(128) NULL, ADD KEY ix_kind (kind);\n"
	files["000003_index.down.sql"] = "ALTER TABLE events DROP KEY ix_kind;\n"
	files["000004_balance.up.sql"] = "ALTER TABLE accounts MODIFY balance DECIMAL(14,2) NOT NULL;\n"
	files["000004_balance.down.sql"] = "ALTER TABLE accounts MODIFY balance DECIMAL(10,2) NOT NULL;\n"
	files["000005_email.up.sql"] = "ALTER TABLE customers MODIFY email VARCHAR(120) NOT NULL, ADD KEY ix_email (email);\n"
	files["000005_email.down.sql"] = "ALTER TABLE customers DROP KEY ix_email;\n"
	set := writeMigrations(t, files)
	c := rehearseCompareN(t, target, snap, set, []string{StrategyNative, StrategyPTOSC}, 3, func(o *Options) { o.KeepGoing = true })
	want := map[string]string{"events": "PRIMARY KEY", "accounts": "triggers", "customers": "foreign keys"}
	for _, st := range c.Statements {
		n, p := st.By[0], st.By[1]
		if n.Status != "ok" {
			t.Errorf("%s#%d native: %s %q", st.Version, st.Index, n.Status, n.Error)
		}
		t.Logf("pt-osc's output:\n%s", strings.Join(p.ToolOutput, "\n"))
		if p.Status != "failed" || !strings.Contains(p.Error, want[st.Table]) {
			t.Errorf("%s#%d on %s, pt-osc: %s %q; want its refusal naming %q", st.Version, st.Index, st.Table, p.Status, p.Error, want[st.Table])
		}
		if st.Recommended != StrategyNative || !strings.Contains(st.Why, "pt-osc failed") {
			t.Errorf("%s#%d: recommended %s: %s", st.Version, st.Index, st.Recommended, st.Why)
		}
	}
}
