package reports

import (
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/result"
)

// The fixed documents in testdata/*.json are built here, so they stay
// consistent with each other and with the document types. Regenerate with
//
//	go test ./reports -run TestFixtures -fixtures
//
// and then the golden files with -update.
var writeFixtures = flag.Bool("fixtures", false, "rewrite testdata/*.json from fixtures_test.go")

// fixtureNames are the documents every golden test renders.
var fixtureNames = []string{"pass", "fail", "partial", "keepgoing", "empty", "error", "replicas", "galera"}

func TestFixtures(t *testing.T) {
	for name, doc := range map[string]*result.Report{
		"pass": fixturePass(), "fail": fixtureFail(), "partial": fixturePartial(), "keepgoing": fixtureKeepGoing(),
		"empty": fixtureEmpty(), "error": fixtureError(), "replicas": fixtureReplicas(), "galera": fixtureGalera(),
	} {
		raw, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, '\n')
		path := filepath.Join("testdata", name+".json")
		if *writeFixtures {
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		have, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -fixtures to create it)", err)
		}
		if string(have) != string(raw) {
			t.Errorf("%s is stale: run go test ./reports -run TestFixtures -fixtures", path)
		}
	}
}

// loadFixture reads testdata/NAME.json as a run report.
func loadFixture(t testing.TB, name string) *result.Report {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r result.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return &r
}

var t0 = time.Date(2025, 3, 14, 14, 0, 0, 0, time.UTC)

func baseReport(seed int64) *result.Report {
	return &result.Report{
		Format:    result.FormatV1,
		Tool:      "rehearse 0.1.0",
		StartedAt: t0,
		Inputs: result.Inputs{
			Snapshot:       "prod.snapshot.json",
			SnapshotDigest: "sha256:9f2c4e1d0b7a6c5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e",
			Source:         "mariadb 10.11.6 (server_uuid 3e11fa47-71ca-11e1-9e33-c80aa9429562)",
			Migrations:     "./migrations",
			Engine:         "local",
			Flavor:         "mariadb",
			Version:        "10.11.6",
			Scale:          0.1,
			Rows:           420_000,
			LoadRate:       200,
			LoadProfile:    "default",
			Settings:       []string{"sql_mode=STRICT_TRANS_TABLES", "innodb_lock_wait_timeout=50"},
			Lockwait:       30,
			Seed:           seed,
		},
	}
}

// timeline builds a deterministic 100 ms timeline from 0 to end seconds.
// stall reports, for a time, how many sessions wait and how many writers
// are blocked (0 when free); running names the statement running then.
func timeline(seed uint64, end float64, stall func(t float64) (waiters, blocked int), running func(t float64) string) []result.TimePoint {
	rng := rand.New(rand.NewPCG(seed, 7))
	var tl []result.TimePoint
	for i := 0; float64(i)*0.1 < end; i++ {
		tt := math.Round(float64(i)*10) / 100
		w, b := stall(tt)
		p := result.TimePoint{T: tt, Statement: running(tt), Waiters: w, Blocked: b}
		if b > 0 {
			p.Throughput = 0
		} else {
			p.Throughput = math.Round(190 + rng.Float64()*20)
			p.P50Ms = math.Round((1.8+rng.Float64()*0.6)*10) / 10
			p.P99Ms = math.Round((5.5+rng.Float64()*2.5)*10) / 10
		}
		tl = append(tl, p)
	}
	return tl
}

func win(start, end, p99, ratioTo float64) *result.Window {
	return &result.Window{StartS: start, EndS: end, Ops: int64((end - start) * 200), Throughput: 199.5, P50Ms: 2.1, P99Ms: p99, MaxMs: p99 * 1.6}
}

// phases lays phases end to end: name, duration, name, duration, ...
func phases(spec ...any) []result.Phase {
	var ps []result.Phase
	start := 0.0
	for i := 0; i+1 < len(spec); i += 2 {
		d := spec[i+1].(float64)
		ps = append(ps, result.Phase{Name: spec[i].(string), StartS: math.Round(start*100) / 100, Duration: d, Status: "ok"})
		start += d
	}
	return ps
}

func fixturePass() *result.Report {
	r := baseReport(42)
	r.FinishedAt = t0.Add(41 * time.Second)
	r.Verdict = result.Pass
	r.Inputs.MigrationIDs = []string{"20250301120000", "20250302090000"}
	r.Phases = phases("provision", 0.46, "restore", 1.82, "probe", 0.09, "generate", 6.22, "baseline", 10.0, "migrate", 10.3, "app-compat", 3.0, "rollback", 8.4, "verdict", 0.01, "report", 0.05, "teardown", 0.3)
	r.Baseline = win(8.6, 18.6, 6.8, 0)
	r.Migrations = []result.Migration{{
		Version: "20250301120000", Name: "create_audit_log", File: "migrations/20250301120000_create_audit_log.up.sql",
		Status: "applied", DurationS: 0.041,
		Statements: []result.Statement{{
			Index: 1, Line: 1, SQL: "CREATE TABLE audit_log (\n  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  investment_id BIGINT NOT NULL,\n  at DATETIME NOT NULL\n)",
			Operation: "CREATE TABLE", Table: "audit_log", StartS: 18.6, DurationS: 0.041, Status: "ok",
			During: win(18.6, 18.641, 6.1, 0), P99Ratio: 0.9, Rollback: "restores",
		}},
	}, {
		Version: "20250302090000", Name: "investments_add_note", File: "migrations/20250302090000_investments_add_note.up.sql",
		Status: "applied", DurationS: 9.21,
		Statements: []result.Statement{{
			Index: 1, Line: 1, SQL: "ALTER TABLE investments ADD COLUMN note VARCHAR(255) NULL",
			Operation: "ADD COLUMN", Table: "investments", TableRows: 420_000, StartS: 19.0, DurationS: 0.012,
			Algorithm: "INSTANT", PredictedAlg: "INSTANT", PredictedLock: "NONE", VerifiedAlg: "INSTANT", VerifiedLock: "NONE", Status: "ok", LockWaitS: 0.003,
			During: win(19.0, 19.012, 6.4, 0), P99Ratio: 0.94, Rollback: "restores",
		}, {
			Index: 2, Line: 3, SQL: "CREATE INDEX idx_investments_created ON investments (created_at)",
			Operation: "CREATE INDEX", Table: "investments", TableRows: 420_000, StartS: 19.5, DurationS: 9.2,
			Algorithm: "NOCOPY", PredictedAlg: "NOCOPY", PredictedLock: "NONE", VerifiedAlg: "NOCOPY", VerifiedLock: "NONE", Status: "ok", LockWaitS: 0.004,
			WritersBlocked: 3, LongestStallS: 0.041, BlockedSessionS: 0.09, DeepestQueue: 2,
			During: win(19.5, 28.7, 9.4, 0), P99Ratio: 1.38, TempBytes: 14_680_064, Rollback: "restores",
		}},
	}}
	r.Rollback = &result.Rollback{Attempted: true, Restores: true, Migrations: []result.MigrationRollback{
		{Version: "20250302090000", Verdict: "restores", Statements: []result.Statement{{
			Index: 1, Line: 1, SQL: "DROP INDEX idx_investments_created ON investments", Operation: "DROP INDEX", Table: "investments",
			StartS: 32.0, DurationS: 2.1, Algorithm: "NOCOPY", Status: "ok", LockWaitS: 0.002,
		}}},
		{Version: "20250301120000", Verdict: "restores"},
	}}
	r.AppCompat = &result.AppCompat{Checked: 14}
	r.Findings = []result.Finding{{
		Code: "RUN205", Severity: "info", Migration: "20250302090000", Statement: 2, Table: "investments",
		Message: "add-index on investments: our rule table predicted INPLACE/LOCK=NONE but mariadb 10.11.6 accepted NOCOPY/LOCK=NONE on an empty copy of the table: the rule table is wrong for this server; the rehearsal measured what the server does",
		DocsURL: "docs/rules/RUN205.md",
	}}
	r.Gates = []result.Gate{
		{Name: "max-lock-wait", Scope: "total", Limit: "5s", Measured: "4ms", Value: 0.004, Passed: true},
		{Name: "max-writer-stall", Scope: "total", Limit: "2s", Measured: "41ms", Value: 0.041, Passed: true},
		{Name: "max-p99", Scope: "total", Limit: "×3 baseline", Measured: "×1.38", Value: 1.38, Passed: true},
		{Name: "rollback", Scope: "total", Limit: "required", Measured: "restores", Value: 1, Passed: true},
	}
	r.Timeline = timeline(1, 40.6, func(t float64) (int, int) {
		if t >= 28.6 && t < 28.7 {
			return 2, 2
		}
		return 0, 0
	}, func(t float64) string {
		switch {
		case t >= 18.6 && t < 18.7:
			return "20250301120000#1"
		case t >= 19.0 && t < 19.1:
			return "20250302090000#1"
		case t >= 19.5 && t < 28.7:
			return "20250302090000#2"
		}
		return ""
	})
	r.Capacity = &result.Capacity{TargetScale: 1, Scales: []float64{0.01, 0.03, 0.1}, Statements: []result.CapacityStatement{{
		Migration: "20250302090000", Statement: 2, SQL: "CREATE INDEX idx_investments_created ON investments (created_at)",
		Model: "nlogn", R2: 0.994,
		Points: []result.CapacityPoint{
			{Scale: 0.01, Rows: 42_000, DurationS: 0.81, StallS: 0.01, DiskBytes: 1_400_000, LogBytes: 200_000},
			{Scale: 0.03, Rows: 126_000, DurationS: 2.6, StallS: 0.02, DiskBytes: 4_300_000, LogBytes: 610_000},
			{Scale: 0.1, Rows: 420_000, DurationS: 9.2, StallS: 0.041, DiskBytes: 14_680_064, LogBytes: 2_100_000},
		},
		Predicted: result.Prediction{Rows: 4_200_000, DurationS: 104, DurationLo: 91, DurationHi: 118, StallS: 0.2, DiskBytes: 150_000_000, LogBytes: 21_000_000},
		Curve: []result.CurvePoint{
			{Scale: 0.01, Rows: 42_000, DurationS: 0.78, LoS: 0.7, HiS: 0.86},
			{Scale: 0.1, Rows: 420_000, DurationS: 9.1, LoS: 8.2, HiS: 10.0},
			{Scale: 0.25, Rows: 1_050_000, DurationS: 24, LoS: 21.4, HiS: 26.9},
			{Scale: 0.5, Rows: 2_100_000, DurationS: 50, LoS: 44.2, HiS: 56.3},
			{Scale: 1, Rows: 4_200_000, DurationS: 104, LoS: 91, HiS: 118},
		},
		Fits: []result.MetricFit{{Metric: "duration", Model: "nlogn", R2: 0.994, BandPct: 13.5, FitBandPct: 10, SpreadBandPct: 9.1}},
		Spread: []result.CapacitySpread{
			{Scale: 0.01, Rows: 42_000, Runs: 3, MedianS: 0.81, MinS: 0.78, MaxS: 0.86, SpreadPct: 9.9, RSDPct: 4.9},
			{Scale: 0.03, Rows: 126_000, Runs: 3, MedianS: 2.6, MinS: 2.5, MaxS: 2.7, SpreadPct: 7.7, RSDPct: 3.8},
			{Scale: 0.1, Rows: 420_000, Runs: 3, MedianS: 9.2, MinS: 9.0, MaxS: 9.7, SpreadPct: 7.6, RSDPct: 3.9},
		},
		Extrapolation: 10,
	}}}
	return r
}

func fixtureFail() *result.Report {
	r := baseReport(7)
	r.FinishedAt = t0.Add(75 * time.Second)
	r.Verdict = result.Fail
	r.Reason = "3 gates failed: max-lock-wait, max-writer-stall, max-p99"
	r.Inputs.Lockwait = 31536000
	r.Inputs.MigrationIDs = []string{"20250310100000", "20250311083000"}
	r.Phases = phases("provision", 0.46, "restore", 1.82, "probe", 0.09, "generate", 6.22, "baseline", 10.0, "migrate", 42.6, "app-compat", 3.0, "rollback", 11.8, "verdict", 0.01, "report", 0.05, "teardown", 0.3)
	r.Phases[7].Detail = "1 migration leaves data lost"
	r.Baseline = win(8.6, 18.6, 6.8, 0)
	r.Injections = []result.Injection{{Kind: "long-txn", Spec: "long-txn=investments:20s@20250310100000", StartS: 18.1, EndS: 38.6}}
	unique := result.Statement{
		Index: 1, Line: 2, SQL: "CREATE UNIQUE INDEX uq_investments_ref ON investments (account_id, external_ref)",
		Operation: "CREATE UNIQUE INDEX", Table: "investments", TableRows: 420_000, StartS: 18.6, DurationS: 29.4,
		Algorithm: "NOCOPY", PredictedAlg: "INPLACE", PredictedLock: "NONE", VerifiedAlg: "NOCOPY", VerifiedLock: "NONE", Status: "ok",
		LockWaitS: 20.02, BlockedBy: "session 41 (long-txn injection: SELECT ... FROM investments, open 20s)",
		WritersBlocked: 48, LongestStallS: 20.1, BlockedSessionS: 512.4, DeepestQueue: 48,
		During: &result.Window{StartS: 18.6, EndS: 48.0, Ops: 5880, Throughput: 131.2, P50Ms: 2.4, P99Ms: 20_050, MaxMs: 20_110,
			Errors: map[string]int64{"lock_wait_timeout": 3}},
		P99Ratio: 2948.5, TempBytes: 16_777_216, Rollback: "restores",
	}
	change := result.Statement{
		Index: 1, Line: 1, SQL: "ALTER TABLE investments MODIFY amount DECIMAL(19,4) NOT NULL",
		Operation: "MODIFY COLUMN", Table: "investments", TableRows: 420_000, StartS: 48.3, DurationS: 12.6,
		Algorithm: "COPY", PredictedAlg: "COPY", PredictedLock: "SHARED", VerifiedAlg: "COPY", VerifiedLock: "SHARED", Status: "ok", LockWaitS: 0.002,
		WritersBlocked: 31, LongestStallS: 12.5, BlockedSessionS: 301.7, DeepestQueue: 31,
		During: &result.Window{StartS: 48.3, EndS: 60.9, Ops: 2520, Throughput: 96.4, P50Ms: 2.2, P99Ms: 12_480, MaxMs: 12_530,
			Errors: map[string]int64{"lock_wait_timeout": 1, "deadlock": 2}},
		P99Ratio: 1835.3, TempBytes: 73_400_320, Rollback: "data_lost",
	}
	drop := result.Statement{
		Index: 2, Line: 2, SQL: "ALTER TABLE investments DROP COLUMN legacy_code",
		Operation: "DROP COLUMN", Table: "investments", TableRows: 420_000, StartS: 61.0, DurationS: 0.02,
		Algorithm: "INSTANT", PredictedAlg: "INSTANT", PredictedLock: "NONE", VerifiedAlg: "INSTANT", VerifiedLock: "NONE", Status: "ok", LockWaitS: 0.001,
		During: win(61.0, 61.02, 6.9, 0), P99Ratio: 1.01, Rollback: "data_lost",
	}
	r.Migrations = []result.Migration{
		{Version: "20250310100000", Name: "investments_unique_ref", File: "migrations/20250310100000_investments_unique_ref.up.sql", Status: "applied", DurationS: 29.4, Statements: []result.Statement{unique}},
		{Version: "20250311083000", Name: "investments_amount_decimal", File: "migrations/20250311083000_investments_amount_decimal.up.sql", Status: "applied", DurationS: 12.7, Statements: []result.Statement{change, drop}},
	}
	r.Rollback = &result.Rollback{Attempted: true, Restores: false,
		Remaining: []string{"investments.legacy_code: re-added by the down, empty (420,000 rows lost their value)"},
		Migrations: []result.MigrationRollback{
			{Version: "20250311083000", Verdict: "data_lost", Detail: []string{"the up drops investments.legacy_code; the down re-adds it empty"}},
			{Version: "20250310100000", Verdict: "restores"},
		}}
	r.AppCompat = &result.AppCompat{Checked: 14, Failures: []result.AppCompatIssue{{
		Table: "investments", Kind: "insert", Shape: "INSERT INTO investments (account_id, amount, legacy_code, created_at) VALUES (?, ?, ?, ?)",
		ErrorCode: 1054, Error: "Error 1054 (42S22): Unknown column 'legacy_code' in 'field list'", Cause: "20250311083000",
	}}}
	r.Findings = []result.Finding{{
		Code: "RUN202", Severity: "warning", Migration: "20250310100000", Statement: 1, Table: "investments",
		Message: "CREATE UNIQUE INDEX waited 20.02s for its metadata lock behind session 41; 48 writers queued behind it for up to 20.1s.",
		Fix:     "Set lock_wait_timeout (e.g. --lock-wait-timeout 2s) in the migration session and retry, or run it when no long transaction is open.",
		DocsURL: "docs/rules/RUN202.md",
	}, {
		Code: "RUN203", Severity: "warning", Migration: "20250311083000", Statement: 1, Table: "investments",
		Message: "MODIFY COLUMN copied the table (ALGORITHM=COPY) and blocked writes for 12.5s on 420,000 rows.",
		Fix:     "Use an online schema change tool (gh-ost, pt-online-schema-change) or a new column plus backfill.",
		DocsURL: "docs/rules/RUN203.md",
	}, {
		Code: "RUN220", Severity: "warning", Migration: "20250311083000", Statement: 2, Table: "investments",
		Message: "Rolling back the app without rolling back the schema breaks: INSERT INTO investments (... legacy_code ...) fails with 1054 Unknown column.",
		Fix:     "Drop the column in a later release, after no deployed app version writes it.",
		DocsURL: "docs/rules/RUN220.md",
	}, {
		Code: "RUN211", Severity: "warning", Migration: "20250311083000",
		Message: "The down migration re-adds investments.legacy_code empty: its values are lost on rollback.",
		DocsURL: "docs/rules/RUN211.md",
	}, {
		Code: "RUN205", Severity: "info", Migration: "20250310100000", Statement: 1, Table: "investments",
		Message: "add-unique-index on investments: our rule table predicted INPLACE/LOCK=NONE but mariadb 10.11.6 accepted NOCOPY/LOCK=NONE on an empty copy of the table: the rule table is wrong for this server; the rehearsal measured what the server does",
		Fix:     "trust the verified answer (and `rehearse plan`'s server verification); please report the statement, the server version and both answers so the rule table can be fixed",
		DocsURL: "docs/rules/RUN205.md",
	}}
	r.GateSettings = []result.GateSetting{
		{Name: "max-writer-stall", Limit: "2s"}, {Name: "max-lock-wait", Limit: "5s"},
		{Name: "max-stall-share", Limit: "50%", Default: true}, {Name: "app-compat", Limit: "off"},
	}
	r.Gates = []result.Gate{
		{Name: "max-lock-wait", Scope: "20250310100000#1", Limit: "5s", Measured: "20.02s", Value: 20.02, Passed: false},
		{Name: "max-writer-stall", Scope: "20250310100000#1", Limit: "2s", Measured: "20.1s", Value: 20.1, Passed: false},
		{Name: "max-writer-stall", Scope: "20250311083000#1", Limit: "2s", Measured: "12.5s", Value: 12.5, Passed: false},
		{Name: "max-p99", Scope: "total", Limit: "500ms", Measured: "20.05s", Value: 20.05, Passed: false},
		{Name: "max-error-rate", Scope: "total", Limit: "1%", Measured: "0.07%", Value: 0.0007, Passed: true},
		{Name: "rollback", Scope: "total", Limit: "required", Measured: "data_lost (20250311083000)", Value: 0, Passed: true},
	}
	r.Timeline = timeline(2, 74.6, func(t float64) (int, int) {
		switch {
		case t >= 18.6 && t < 38.7:
			n := int((t - 18.6) * 2.4)
			if n > 48 {
				n = 48
			}
			return n + 1, n
		case t >= 48.4 && t < 60.9:
			n := int((t - 48.4) * 2.5)
			if n > 31 {
				n = 31
			}
			return n, n
		}
		return 0, 0
	}, func(t float64) string {
		switch {
		case t >= 18.6 && t < 48.0:
			return "20250310100000#1"
		case t >= 48.3 && t < 60.9:
			return "20250311083000#1"
		case t >= 61.0 && t < 61.1:
			return "20250311083000#2"
		}
		return ""
	})
	// The release of the stall: the queued writes complete with their
	// whole wait counted from their scheduled start.
	for i := range r.Timeline {
		if tt := r.Timeline[i].T; tt == 38.7 || tt == 60.9 {
			r.Timeline[i].Throughput = 4100
			r.Timeline[i].P50Ms = 9_800
			r.Timeline[i].P99Ms = map[bool]float64{true: 20_050, false: 12_480}[tt == 38.7]
			r.Timeline[i].Errors = 2
		}
	}
	return r
}

func fixturePartial() *result.Report {
	r := baseReport(9)
	r.FinishedAt = t0.Add(36 * time.Second)
	r.Verdict = result.Fail
	r.Reason = "migration 20250320110000 failed at statement 2 of 3 and left a partial state the down does not recover"
	r.Inputs.MigrationIDs = []string{"20250320110000", "20250321090000"}
	r.Phases = phases("provision", 0.46, "restore", 1.82, "probe", 0.08, "generate", 6.23, "baseline", 10.0, "migrate", 0.7, "rollback", 15.1, "verdict", 0.01, "report", 0.05, "teardown", 0.3)
	r.Phases[5].Status = "failed"
	r.Phases[5].Detail = "20250320110000#2: Error 1060 (42S21): Duplicate column name 'status'"
	r.Baseline = win(8.6, 18.6, 6.8, 0)
	r.Injections = []result.Injection{{Kind: "fail-at", Spec: "fail-at=20250320110000:2", StartS: 19.2, EndS: 19.2}}
	r.Migrations = []result.Migration{{
		Version: "20250320110000", Name: "orders_status", File: "migrations/20250320110000_orders_status.up.sql",
		Status: "failed", DurationS: 0.53,
		Statements: []result.Statement{{
			Index: 1, Line: 1, SQL: "ALTER TABLE orders ADD COLUMN status_code TINYINT NOT NULL DEFAULT 0",
			Operation: "ADD COLUMN", Table: "orders", TableRows: 120_000, StartS: 18.7, DurationS: 0.5,
			Algorithm: "COPY", PredictedAlg: "INSTANT", PredictedLock: "NONE", VerifiedAlg: "INSTANT", VerifiedLock: "NONE",
			RowsAffected: 120_000, Status: "ok", LockWaitS: 0.002,
			During: win(18.7, 19.2, 7.0, 0), P99Ratio: 1.03, Rollback: "failed",
		}, {
			Index: 2, Line: 2, SQL: "ALTER TABLE orders ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'new'",
			Operation: "ADD COLUMN", Table: "orders", TableRows: 120_000, StartS: 19.2, DurationS: 0.03,
			PredictedAlg: "INSTANT", PredictedLock: "NONE", VerifyNote: "not verified: failed on the empty copy with error 1060 (Duplicate column name 'status')",
			Status: "failed", Error: "Error 1060 (42S21): Duplicate column name 'status'", ErrorCode: 1060,
			During: win(19.2, 19.23, 6.6, 0), P99Ratio: 0.97, Rollback: "failed",
		}, {
			Index: 3, Line: 3, SQL: "UPDATE orders SET status_code = 1 WHERE status = 'paid'",
			Operation: "UPDATE", Table: "orders", Status: "not_run", Rollback: "failed",
		}},
		Partial: &result.Partial{
			Committed: []int{1}, FailedAt: 2,
			SchemaDiff:   []string{"orders.status_code: column added (TINYINT NOT NULL DEFAULT 0)"},
			DownRecovers: "no",
			DownDetail:   []string{"down statement 1: ALTER TABLE orders DROP COLUMN status: Error 1091 (42000): Can't DROP COLUMN `status`; check that it exists", "orders.status_code remains"},
		},
	}, {
		Version: "20250321090000", Name: "orders_index_status", File: "migrations/20250321090000_orders_index_status.up.sql",
		Status: "not_run",
		Statements: []result.Statement{{
			Index: 1, Line: 1, SQL: "CREATE INDEX idx_orders_status ON orders (status_code)", Operation: "CREATE INDEX", Table: "orders", Status: "not_run",
			PredictedAlg: "NOCOPY", PredictedLock: "NONE", VerifiedAlg: "NOCOPY", VerifiedLock: "NONE",
		}},
	}}
	r.Rollback = &result.Rollback{Attempted: true, Restores: false,
		Remaining: []string{"orders.status_code: column present, absent before the release"},
		Migrations: []result.MigrationRollback{{Version: "20250320110000", Verdict: "failed",
			Detail: []string{"Error 1091 (42000): Can't DROP COLUMN `status`; check that it exists"}}}}
	r.Findings = []result.Finding{{
		Code: "RUN201", Severity: "error", Migration: "20250320110000", Statement: 2, Table: "orders",
		Message: "Statement 2 of 3 failed (1060 Duplicate column name 'status') after statement 1 committed: the migration is half-applied and the runner will not retry it cleanly.",
		Fix:     "Split the migration into one DDL statement per migration, or make each statement idempotent.",
		DocsURL: "docs/rules/RUN201.md",
	}, {
		Code: "RUN210", Severity: "warning", Migration: "20250320110000", Table: "orders",
		Message: "The down migration does not recover the partial state: orders.status_code remains.",
		DocsURL: "docs/rules/RUN210.md",
	}, {
		Code: "RUN206", Severity: "warning", Migration: "20250320110000", Statement: 1, Table: "orders",
		Message: "add-column on orders: the server accepts INSTANT/LOCK=NONE for it (verified on an empty copy of the table), yet the run copied the table (120000 rows): a server or session setting (alter_algorithm, old_alter_table) or the statement's own clauses made it copy",
		Fix:     "add ALGORITHM=INSTANT to the statement so the server does that or refuses, and check the server's alter_algorithm/old_alter_table settings",
		DocsURL: "docs/rules/RUN206.md",
	}}
	r.Gates = []result.Gate{
		{Name: "max-lock-wait", Scope: "total", Limit: "5s", Measured: "2ms", Value: 0.002, Passed: true},
		{Name: "rollback", Scope: "total", Limit: "required", Measured: "failed (20250320110000)", Value: 0, Passed: false},
	}
	r.Timeline = timeline(3, 34.5, func(float64) (int, int) { return 0, 0 }, func(t float64) string {
		switch {
		case t >= 18.7 && t < 19.2:
			return "20250320110000#1"
		case t >= 19.2 && t < 19.3:
			return "20250320110000#2"
		}
		return ""
	})
	return r
}

// fixtureKeepGoing is fixturePartial rehearsed with --keep-going: the
// next migration ran on the state the failure left.
func fixtureKeepGoing() *result.Report {
	r := fixturePartial()
	r.Inputs.KeepGoing = true
	r.Migrations[0].Partial.KeptGoing = true
	m := &r.Migrations[1]
	m.Status, m.DurationS = "applied", 0.21
	m.AfterFailure = "rehearsed with --keep-going after 20250320110000 failed: on the state the failure left (its committed statements kept)"
	s := &m.Statements[0]
	s.Status, s.StartS, s.DurationS, s.Algorithm, s.During, s.P99Ratio = "ok", 19.4, 0.21, "NOCOPY", win(19.4, 19.61, 7.1, 0), 1.04
	return r
}

func fixtureEmpty() *result.Report {
	r := baseReport(1)
	r.FinishedAt = t0.Add(3 * time.Second)
	r.Verdict = result.Pass
	r.Reason = "no pending migrations: the snapshot's history already has every migration in ./migrations"
	r.Inputs.MigrationIDs = []string{}
	r.Phases = phases("provision", 0.46, "restore", 1.82, "verdict", 0.01, "report", 0.05, "teardown", 0.3)
	r.Migrations = []result.Migration{}
	return r
}

func fixtureError() *result.Report {
	r := baseReport(1)
	r.FinishedAt = t0.Add(3 * time.Second)
	r.Verdict = result.Error
	r.Reason = "provision failed: no server could be started"
	r.Inputs.Engine = "docker"
	r.Inputs.MigrationIDs = []string{"20250301120000"}
	r.Phases = []result.Phase{{Name: "provision", StartS: 0, Duration: 2.9, Status: "failed", Detail: "image mariadb:10.11.6 not present and no registry reachable"},
		{Name: "teardown", StartS: 2.9, Duration: 0.05, Status: "ok"}}
	r.Migrations = []result.Migration{{Version: "20250301120000", Name: "create_audit_log", File: "migrations/20250301120000_create_audit_log.up.sql", Status: "not_run",
		Statements: []result.Statement{{Index: 1, Line: 1, SQL: "CREATE TABLE audit_log (id BIGINT PRIMARY KEY)", Operation: "CREATE TABLE", Table: "audit_log", Status: "not_run"}}}}
	r.Errors = []result.ErrorEntry{{Phase: "provision", Message: "docker: image mariadb:10.11.6 not found locally and the registry is unreachable"}}
	return r
}

// fixtureReplicas is a rehearsal with two replicas: a table copy leaves
// them behind (the max-replica-lag gate fails, writes queued), an INSTANT
// change does not; stale reads were counted; the timeline has the lag
// lane.
func fixtureReplicas() *result.Report {
	r := baseReport(11)
	r.FinishedAt = t0.Add(62 * time.Second)
	r.Verdict = result.Fail
	r.Reason = "max-replica-lag 20250401090000#1: 14.2s (replica-2) > 10s"
	r.Inputs.MigrationIDs = []string{"20250401090000"}
	r.Phases = phases("provision", 0.46, "restore", 1.82, "probe", 0.09, "generate", 6.22, "replicas", 2.31, "baseline", 5.0, "migrate", 12.9, "app-compat", 2.0, "rollback", 0.4, "catch-up", 14.1, "verdict", 0.01, "teardown", 0.6)
	r.Baseline = win(10.9, 15.9, 6.1, 0)
	copyStmt := result.Statement{
		Index: 1, Line: 1, SQL: "ALTER TABLE investments MODIFY amount DECIMAL(19,4) NOT NULL, ALGORITHM=COPY",
		Operation: "MODIFY COLUMN", Table: "investments", TableRows: 420_000, StartS: 15.9, DurationS: 12.7,
		Algorithm: "COPY", VerifiedAlg: "COPY", VerifiedLock: "SHARED", Status: "ok", RowsAffected: 420_000,
		During: win(15.9, 28.6, 12_400, 0), P99Ratio: 2032.8,
		Replicas: []result.ReplicaFigures{
			{Replica: "replica-1", PeakLagS: 13.1, PeakAtS: 41.5, CaughtUpS: 13.0, AppliedAtS: 41.6, ApplyS: 12.8, ApplyStartS: 28.7, ApplySource: "processlist", WritesQueued: true, QueuedWrites: 2512, Reads: 130, StaleReads: 118, PrimaryP99Ms: 7.2},
			{Replica: "replica-2", PeakLagS: 14.2, PeakAtS: 42.6, CaughtUpS: 14.1, AppliedAtS: 42.7, ApplyS: 13.9, ApplyStartS: 28.7, ApplySource: "processlist", WritesQueued: true, QueuedWrites: 2730, Reads: 141, StaleReads: 129, PrimaryP99Ms: 7.4},
		},
	}
	instant := result.Statement{
		Index: 2, Line: 2, SQL: "ALTER TABLE investments ADD COLUMN note VARCHAR(64), ALGORITHM=INSTANT",
		Operation: "ADD COLUMN", Table: "investments", TableRows: 420_000, StartS: 28.7, DurationS: 0.02,
		Algorithm: "INSTANT", VerifiedAlg: "INSTANT", Status: "ok", During: win(28.7, 28.72, 6.3, 0),
		Replicas: []result.ReplicaFigures{
			{Replica: "replica-1", PeakLagS: 0.11, CaughtUpS: 13.1, AppliedAtS: 41.8, ApplyS: 0},
			{Replica: "replica-2", PeakLagS: 0.12, CaughtUpS: 14.2, AppliedAtS: 42.9, ApplyS: 0},
		},
	}
	r.Migrations = []result.Migration{{Version: "20250401090000", Name: "investments_amount", File: "migrations/20250401090000_investments_amount.up.sql",
		Status: "applied", DurationS: 12.72, Statements: []result.Statement{copyStmt, instant}}}
	r.Replication = &result.Replication{Replicas: 2, Requested: 3, From: "the snapshot (3 replica(s), read from show-replicas)",
		Capped: "production has 3 replicas; 2 rehearsed (--max-replicas 2): every replica replays the same statements, so the figures of one stand for the others",
		Mode:   "async", Shape: "2 replica(s), async, GTID positioning, binlog_format=ROW, one serial applier", BinlogFormat: "ROW",
		ProvisionS: 2.31, ShutdownS: 0.42, StartS: 1.61, WireS: 0.28, HeartbeatMs: 100, ReplicaReads: 20, StaleAfterMs: 1000,
		Reads: 560, StaleReads: 247, PeakLagS: 14.2}
	r.Timeline = timeline(11, 62, func(float64) (int, int) { return 0, 0 }, func(t float64) string {
		if t >= 15.9 && t < 28.6 {
			return "20250401090000#1"
		}
		return ""
	})
	for i := range r.Timeline {
		if t := r.Timeline[i].T; t >= 28.6 && t < 42.8 {
			r.Timeline[i].ReplicaLagMs = math.Round((t - 28.6) * 1000)
		}
	}
	r.Gates = []result.Gate{
		{Name: "max-replica-lag", Scope: "20250401090000#1", Limit: "10s", Measured: "14.2s (replica-2)", Value: 14.2, Passed: false},
		{Name: "max-replica-lag", Scope: "20250401090000#2", Limit: "10s", Measured: "120ms (replica-2)", Value: 0.12, Passed: true},
	}
	r.GateSettings = []result.GateSetting{{Name: "max-writer-stall", Limit: "5s", Default: true}, {Name: "max-replica-lag", Limit: "10s", Default: true}}
	r.Findings = []result.Finding{{
		Code: "RUN240", Severity: "warning", Migration: "20250401090000", Statement: 1, Table: "investments",
		Message: "replica-2 was 14.2 s behind the primary (the statement ran 12.7 s on the primary; the replica had applied it 14.1 s after it ended there, its applier spent 13.9 s on it)",
		Fix:     "run it with an online schema change tool that throttles on replica lag (gh-ost --max-lag-millis, pt-online-schema-change --max-lag, spirit)",
		DocsURL: "docs/rules/RUN240.md",
	}}
	return r
}

// fixtureGalera is a 3-node Galera rehearsal under TOI: a backfill whose
// one large write set engaged flow control (RUN246) and a copy that
// stalled every node (RUN245).
func fixtureGalera() *result.Report {
	r := baseReport(13)
	r.FinishedAt = t0.Add(75 * time.Second)
	r.Verdict = result.Fail
	r.Reason = "max-writer-stall 20250402090000#2: 6.1s > 5s"
	r.Inputs.MigrationIDs = []string{"20250402090000"}
	r.Phases = phases("provision", 0.46, "restore", 1.82, "probe", 0.09, "generate", 6.22, "replicas", 31.4, "baseline", 5.0, "migrate", 14.9, "app-compat", 2.0, "rollback", 0.4, "verdict", 0.01, "teardown", 1.2)
	r.Baseline = win(41.0, 46.0, 6.1, 0)
	fc := func(paused float64, sent, recv, queue int64, window float64) *result.FlowControl {
		return &result.FlowControl{PausedMs: paused, Sent: sent, Recv: recv, RecvQueueMax: queue, WindowS: window}
	}
	backfill := result.Statement{
		Index: 1, Line: 1, SQL: "UPDATE investments SET amount_cents = amount * 100",
		Operation: "UPDATE", Table: "investments", TableRows: 420_000, StartS: 46.0, DurationS: 4.2,
		Status: "ok", RowsAffected: 420_000, During: win(46.0, 50.2, 9.8, 0),
		Galera: []result.GaleraNodeFigures{
			{Node: "node-1", Writes: 390, SlowWrites: 1, LongestWriteMs: 2310, LongestAtS: 50.3, FlowControl: fc(2290, 0, 31, 3, 8.7)},
			{Node: "node-2", Writes: 410, SlowWrites: 2, LongestWriteMs: 2280, LongestAtS: 50.4, FlowControl: fc(2290, 17, 31, 212, 8.7)},
			{Node: "node-3", Writes: 402, SlowWrites: 2, LongestWriteMs: 2250, LongestAtS: 50.4, FlowControl: fc(2290, 14, 31, 187, 8.7)},
		},
	}
	copyStmt := result.Statement{
		Index: 2, Line: 2, SQL: "ALTER TABLE investments MODIFY amount DECIMAL(19,4) NOT NULL, ALGORITHM=COPY",
		Operation: "MODIFY COLUMN", Table: "investments", TableRows: 420_000, StartS: 50.2, DurationS: 6.2,
		Algorithm: "COPY", VerifiedAlg: "COPY", VerifiedLock: "SHARED", Status: "ok", RowsAffected: 420_000,
		During: win(50.2, 56.4, 6100, 0), P99Ratio: 1000, LongestStallS: 6.1, WritersBlocked: 12,
		Galera: []result.GaleraNodeFigures{
			{Node: "node-1", Writes: 14, SlowWrites: 1, LongestWriteMs: 6110, LongestAtS: 50.3, FlowControl: fc(0, 0, 0, 0, 6.3)},
			{Node: "node-2", Writes: 15, SlowWrites: 1, LongestWriteMs: 6090, LongestAtS: 50.3, FlowControl: fc(0, 0, 0, 2, 6.3)},
			{Node: "node-3", Writes: 15, SlowWrites: 1, LongestWriteMs: 6150, LongestAtS: 50.3, FlowControl: fc(0, 0, 0, 1, 6.3)},
		},
	}
	r.Migrations = []result.Migration{{Version: "20250402090000", Name: "investments_cents", File: "migrations/20250402090000_investments_cents.up.sql",
		Status: "applied", DurationS: 10.4, Statements: []result.Statement{backfill, copyStmt}}}
	r.Replication = &result.Replication{GaleraNodes: 3, Requested: 3, From: "--galera", Mode: "galera", OSUMethod: "TOI", NodeWriteMs: 10,
		Shape:      "Galera cluster of 3 nodes (10.11.19-MariaDB-0+deb12u1, galera-4), wsrep_OSU_method=TOI; the load and the migration on node-1, a writer on every node",
		ProvisionS: 31.4, ShutdownS: 0.9, SeedS: 6.2, StartS: 24.3}
	r.Timeline = timeline(13, 75, func(t float64) (int, int) {
		if t >= 50.2 && t < 56.4 {
			return 1, 8
		}
		return 0, 0
	}, func(t float64) string {
		switch {
		case t >= 46.0 && t < 50.2:
			return "20250402090000#1"
		case t >= 50.2 && t < 56.4:
			return "20250402090000#2"
		}
		return ""
	})
	r.Gates = []result.Gate{
		{Name: "max-writer-stall", Scope: "20250402090000#2", Limit: "5s", Measured: "6.1s", Value: 6.1, Passed: false},
	}
	r.GateSettings = []result.GateSetting{{Name: "max-writer-stall", Limit: "5s", Default: true}}
	r.Findings = []result.Finding{{
		Code: "RUN246", Severity: "warning", Migration: "20250402090000", Statement: 1, Table: "investments",
		Message: "flow control paused the cluster's replication for 2.29 s of the 8.70 s until every node had applied the statement (4.20 s on node-1): node-2 (17 FC_PAUSE, receive queue up to 212 write sets), node-3 (14 FC_PAUSE, receive queue up to 187 write sets) could not apply the write sets as fast as the cluster sent them and paused every node's commits",
		Fix:     "make the change in small transactions",
		DocsURL: "docs/rules/RUN246.md",
	}, {
		Code: "RUN245", Severity: "error", Migration: "20250402090000", Statement: 2, Table: "investments",
		Message: "under TOI the statement (6.20 s on node-1, where it ran) stalled the writers of the other nodes too: longest write node-2 6.09 s, node-3 6.15 s",
		Fix:     "pt-online-schema-change, or wsrep_OSU_method=RSU node by node",
		DocsURL: "docs/rules/RUN245.md",
	}}
	return r
}
