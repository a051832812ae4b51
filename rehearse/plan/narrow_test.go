package plan_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/plan/rules"
	"github.com/rehearse/rehearse/snapshot"
)

// narrowCase is one migration of TestNarrowingFromStatistics: its up (and
// down), what the server does with it as written (0: applies), and the
// finding the plan must give (code "" = no RH103/RH111 on the up).
type narrowCase struct {
	name, up, down string
	serverErr      int
	code           string
	sev            plan.Severity
	says           string
	downCode       string // a finding at the down
}

// TestNarrowingFromStatistics: on a real server (MariaDB 10.11, MySQL
// 9.7, strict sql_mode) one row holds values that a narrowed column cannot
// hold. Captured with column statistics, the plan (statistics only) gives
// RH111 where the statistics prove values do not fit (also characters a
// narrower character set lacks, which the snapshot counts), RH103 where
// they cannot tell or the sampled values fit, and nothing for a widening (latin1 to utf8mb4 loses no
// data); a down that narrows back is RH103 at the down. Each up is then
// run on the server itself: it fails with the error the finding names, or
// applies (rounding silently) where the finding says so.
func TestNarrowingFromStatistics(t *testing.T) {
	cases := []narrowCase{
		{name: "000001_varchar_shorter", up: "ALTER TABLE t MODIFY v VARCHAR(5)", serverErr: 1265, code: codes.NarrowedValues, sev: plan.SevError, says: "values up to 15 characters (statistics) do not fit in 5"},
		{name: "000002_bigint_to_int", up: "ALTER TABLE t MODIFY i INT", serverErr: 1264, code: codes.NarrowedValues, sev: plan.SevError, says: "3000000000 (statistics) is outside int"},
		{name: "000003_signed_to_unsigned", up: "ALTER TABLE t MODIFY s INT UNSIGNED", serverErr: 1264, code: codes.NarrowedValues, sev: plan.SevError, says: "-5 (statistics)"},
		{name: "000004_unsigned_to_signed", up: "ALTER TABLE t MODIFY u INT", serverErr: 1264, code: codes.NarrowedValues, sev: plan.SevError, says: "4000000000 (statistics)"},
		{name: "000005_text_to_varchar", up: "ALTER TABLE t MODIFY tx VARCHAR(100)", serverErr: 1406, code: codes.NarrowedValues, sev: plan.SevError, says: "values up to 300"},
		{name: "000006_enum_member_removed", up: "ALTER TABLE t MODIFY e ENUM('a','b')", serverErr: 1265, code: codes.NarrowedValues, sev: plan.SevError, says: "3 distinct values, the new type has 2 members"},
		{name: "000007_decimal_integer_digits", up: "ALTER TABLE t MODIFY d2 DECIMAL(4,2)", serverErr: 1264, code: codes.NarrowedValues, sev: plan.SevError, says: "1234.56 (statistics) has 4 integer digits, the new type 2"},
		{name: "000008_utf8mb4_to_utf8mb3", up: "ALTER TABLE t MODIFY m VARCHAR(20) CHARACTER SET utf8mb3", serverErr: 1366, code: codes.NarrowedValues, sev: plan.SevError, says: "1 of the 3 sampled values hold characters utf8mb3 lacks"},
		{name: "000009_decimal_places", up: "ALTER TABLE t MODIFY d DECIMAL(10,2)", code: codes.NarrowedValues, sev: plan.SevWarning, says: "12.345 (statistics) has 3 decimal places"},
		{name: "000010_fractional_seconds", up: "ALTER TABLE t MODIFY dt DATETIME", code: codes.NarrowedValues, sev: plan.SevWarning, says: "fractional seconds"},
		{name: "000011_latin1_to_utf8mb4", up: "ALTER TABLE t MODIFY l VARCHAR(20) CHARACTER SET utf8mb4", down: "ALTER TABLE t MODIFY l VARCHAR(20) CHARACTER SET latin1", downCode: codes.Destructive},
		{name: "000012_convert_latin1_table", up: "ALTER TABLE w CONVERT TO CHARACTER SET utf8mb4", down: "ALTER TABLE w CONVERT TO CHARACTER SET latin1", downCode: codes.Destructive},
		{name: "000013_varchar_longer", up: "ALTER TABLE t MODIFY v VARCHAR(100)"},
		{name: "000014_plain_utf8mb4_to_latin1", up: "ALTER TABLE t MODIFY p VARCHAR(20) CHARACTER SET latin1", code: codes.Destructive, sev: plan.SevWarning, says: "sampled values fit"},
	}
	for _, target := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			srv := testserver.Start(t, target)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range []string{
				"SET NAMES utf8mb4",
				"SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'",
				"CREATE DATABASE app",
				"USE app",
				"CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), i BIGINT, s INT, u INT UNSIGNED, d DECIMAL(10,3), d2 DECIMAL(6,2), dt DATETIME(3), tx TEXT, e ENUM('a','b','c'), " +
					"m VARCHAR(20) CHARACTER SET utf8mb4, l VARCHAR(20) CHARACTER SET latin1, p VARCHAR(20) CHARACTER SET utf8mb4) DEFAULT CHARSET=utf8mb4",
				"INSERT INTO t VALUES (1, 'abcdefghijklmno', 3000000000, -5, 4000000000, 12.345, 1234.56, '2024-01-01 10:00:00.123', REPEAT('x', 300), 'c', 'emoji \U0001F600', 'caf\u00e9', 'plain')," +
					" (2, 'ab', 1, 1, 1, 1.5, 1.5, '2024-01-02 00:00:00', 'y', 'a', 'plain', 'cafe', 'plain'), (3, 'cd', 2, 2, 2, 2.5, 2.5, '2024-01-03 00:00:00', 'z', 'b', 'plain', 'the', 'text')",
				"CREATE TABLE w (id INT PRIMARY KEY, name VARCHAR(20)) DEFAULT CHARSET=latin1",
				"INSERT INTO w VALUES (1, 'caf\u00e9')",
			} {
				if _, err := conn.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"app"}, ColumnStats: true})
			if err != nil {
				t.Fatal(err)
			}
			snap.Settings["sql_mode"] = "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"
			dir := t.TempDir()
			for _, c := range cases {
				down := c.down
				if down == "" {
					down = "SELECT 1"
				}
				for suffix, body := range map[string]string{".up.sql": c.up + ";\n", ".down.sql": down + ";\n"} {
					if err := os.WriteFile(filepath.Join(dir, c.name+suffix), []byte(body), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			set, err := migrations.Load(ctx, migrations.Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Build(ctx, plan.Options{Snapshot: snap, Migrations: set, Rules: rules.All()})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				m := set.Migrations[i]
				var up, atDown []plan.Finding
				for _, f := range at(p, m.Key) {
					if f.Code != codes.Destructive && f.Code != codes.NarrowedValues {
						continue
					}
					if f.File == m.Up.File {
						up = append(up, f)
					} else {
						atDown = append(atDown, f)
					}
				}
				switch {
				case c.code == "" && len(up) > 0:
					t.Errorf("%s: want no finding on the up, got %s %s: %s", c.name, up[0].Code, up[0].Severity, up[0].Message)
				case c.code != "" && len(up) != 1:
					t.Errorf("%s: want one %s, got %+v", c.name, c.code, up)
				case c.code != "":
					f := up[0]
					if f.Code != c.code || f.Severity != c.sev || !strings.Contains(f.Message, c.says) {
						t.Errorf("%s: got %s %s %q, want %s %s saying %q", c.name, f.Code, f.Severity, f.Message, c.code, c.sev, c.says)
					}
				}
				if (c.downCode != "") != (len(atDown) > 0) {
					t.Errorf("%s: findings at the down %+v, want %q", c.name, atDown, c.downCode)
				}
				// The server, as written.
				_, err := conn.ExecContext(ctx, c.up)
				var me *mysql.MySQLError
				got := 0
				if errors.As(err, &me) {
					got = int(me.Number)
				} else if err != nil {
					t.Fatalf("%s: %v", c.up, err)
				}
				if got != c.serverErr {
					t.Errorf("%s: the server answers %d (%v), the case says %d", c.name, got, err, c.serverErr)
				}
			}
		})
	}
}
