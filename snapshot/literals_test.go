package snapshot_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/migrations"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/snapshot"
)

// TestCaptureLiterals: the release's literal comparisons (from its files)
// are counted on the server: rows holding each literal and, per foreign key
// referencing the table, the child rows referencing them. The snapshot
// holds the counts and the literals only, passes Check, and a snapshot
// without the field still loads. MariaDB 10.11 and MySQL 9.7.
func TestCaptureLiterals(t *testing.T) {
	dir := t.TempDir()
	up := `DELETE FROM sess WHERE subject IN (SELECT identifier FROM ident WHERE username = '' AND service IN ('openid', 'openid_connect'));
DELETE FROM ident WHERE username = '' AND service IN ('openid', 'openid_connect');
DELETE FROM ident WHERE service <> 'openid';
UPDATE ident SET username = 'x' WHERE note IS NULL;
`
	if err := os.WriteFile(filepath.Join(dir, "000005_prune.up.sql"), []byte(up), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "000005_prune.down.sql"), []byte("SELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tgt := range []testserver.Target{testserver.LocalMariaDB(), testserver.LocalMySQL()} {
		t.Run(tgt.Name, func(t *testing.T) {
			ctx := context.Background()
			srv := testserver.Start(t, tgt)
			db, err := srv.Open("")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{
				"CREATE DATABASE lit",
				"CREATE TABLE lit.ident (id INT PRIMARY KEY, service VARCHAR(20) NOT NULL, username VARCHAR(20) NOT NULL, note VARCHAR(10) NULL, identifier CHAR(8) NOT NULL UNIQUE)",
				"CREATE TABLE lit.sess (id INT PRIMARY KEY, subject CHAR(8) NOT NULL, CONSTRAINT fk_subject FOREIGN KEY (subject) REFERENCES lit.ident (identifier))",
				// 10 identifiers: 1-6 openid (1-2 with an empty username), 7-10 webauthn; note NULL on 2-4.
				`INSERT INTO lit.ident VALUES (1,'openid','','a','i1'),(2,'openid','',NULL,'i2'),(3,'openid','u3',NULL,'i3'),(4,'openid','u4',NULL,'i4'),
				 (5,'openid','u5','b','i5'),(6,'openid','u6','c','i6'),(7,'webauthn','u7','d','i7'),(8,'webauthn','u8','e','i8'),(9,'webauthn','','f','i9'),(10,'webauthn','u10','g','i10')`,
				// 7 sessions: on i1, i1, i2, i3, i4, i5, i6 (openid only).
				"INSERT INTO lit.sess VALUES (1,'i1'),(2,'i1'),(3,'i2'),(4,'i3'),(5,'i4'),(6,'i5'),(7,'i6')",
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			co := snapshot.CaptureOptions{Databases: []string{"lit"}}
			snap, err := snapshot.Capture(ctx, db, co)
			if err != nil {
				t.Fatal(err)
			}
			set, err := migrations.Load(ctx, migrations.Options{Dir: dir, Format: "golang-migrate", Flavor: snap.Source.Flavor})
			if err != nil {
				t.Fatal(err)
			}
			qs := plan.LiteralQueries(migrations.Pending(set, snap))
			if err := snapshot.CaptureLiterals(ctx, db, snap, qs, co); err != nil {
				t.Fatal(err)
			}
			str := func(s string) *string { return &s }
			for _, w := range []struct {
				col   string
				value *string
				rows  int64
				refs  int64
			}{
				{"username", str(""), 3, 3},
				{"service", str("openid"), 6, 7},
				{"service", str("openid_connect"), 0, 0},
				{"note", nil, 3, 3},
			} {
				l := snap.Literal("lit", "ident", w.col, w.value)
				if l == nil {
					t.Errorf("no literal statistics for ident.%s %v", w.col, w.value)
					continue
				}
				if l.Rows != w.rows || len(l.ReferencedBy) != 1 || l.ReferencedBy[0].Rows != w.refs || l.ReferencedBy[0].ForeignKey != "fk_subject" {
					t.Errorf("ident.%s: rows %d refs %+v, want rows %d and %d sessions by fk_subject", w.col, l.Rows, l.ReferencedBy, w.rows, w.refs)
				}
				if len(l.Statements) == 0 {
					t.Errorf("ident.%s: no statement recorded", w.col)
				}
			}
			if len(snap.Literals) != 4 {
				t.Errorf("%d literal statistics, want 4: %+v", len(snap.Literals), snap.Literals)
			}
			if probs := snap.Check(); len(probs) > 0 {
				t.Errorf("Check: %v", probs)
			}
			var buf bytes.Buffer
			if err := snapshot.Write(&buf, snap); err != nil {
				t.Fatal(err)
			}
			back, err := snapshot.Load(&buf, "with-literals.json")
			if err != nil {
				t.Fatalf("a snapshot with literals does not load: %v", err)
			}
			if len(back.Literals) != 4 {
				t.Errorf("literals after a round trip: %d, want 4", len(back.Literals))
			}
			snap.Literals[0].ReferencedBy[0].ForeignKey = "nope"
			if probs := snap.Check(); len(probs) == 0 {
				t.Errorf("Check accepts a literal reference by a foreign key that does not exist")
			}
			snap.Literals = nil
			buf.Reset()
			if err := snapshot.Write(&buf, snap); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte(`"literals"`)) {
				t.Errorf("a snapshot without literals writes the field")
			}
			if _, err := snapshot.Load(&buf, "without-literals.json"); err != nil {
				t.Errorf("a snapshot without literals does not load: %v", err)
			}
		})
	}
}
