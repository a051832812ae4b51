package load_test

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
	"github.com/rehearse/rehearse/snapshot"
)

// generated creates d.cust and d.ord (a unique secondary key on each, a
// foreign key, NOT NULL and nullable columns; onDelete is the foreign key's
// ON DELETE), snapshots them with the given column statistics, and fills
// them with datagen: 200 customers, 2,000 orders.
func generated(t *testing.T, onDelete string) (*sql.DB, *snapshot.Snapshot, datagen.Result) {
	t.Helper()
	s := server.Server(t)
	loadtest.CheckGoroutines(t)
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loadtest.MustExec(t, db,
		"DROP DATABASE IF EXISTS d",
		"CREATE DATABASE d CHARACTER SET utf8mb4",
		`CREATE TABLE d.cust (
			id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
			email VARCHAR(80) NOT NULL,
			name VARCHAR(40) NOT NULL,
			UNIQUE KEY u_email (email))`,
		`CREATE TABLE d.ord (
			id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
			cust_id INT NOT NULL,
			ref CHAR(10) NOT NULL,
			amount DECIMAL(10,2) NOT NULL,
			status ENUM('new','paid','shipped','void') NOT NULL,
			note VARCHAR(100) NULL,
			shipped_at DATETIME NULL,
			UNIQUE KEY u_ref (ref),
			CONSTRAINT fk_cust FOREIGN KEY (cust_id) REFERENCES d.cust (id) ON DELETE `+onDelete+`)`)
	ctx := context.Background()
	snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"d"}, SkipPrivilegeCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	snap.Table("d", "cust").Stats.Rows = 200
	ord := snap.Table("d", "ord")
	ord.Stats.Rows = 2000
	for i := range ord.Columns {
		c := &ord.Columns[i]
		switch c.Name {
		case "note":
			c.Stats = &snapshot.ColumnStats{SampleRows: 2000, NullFraction: 0.4, Distinct: 1000}
		case "shipped_at":
			c.Stats = &snapshot.ColumnStats{SampleRows: 2000, NullFraction: 0.25, Distinct: 1500}
		case "amount":
			lo, hi := "5.00", "500.00"
			c.Stats = &snapshot.ColumnStats{SampleRows: 2000, Distinct: 1800, Min: &lo, Max: &hi}
		}
	}
	res, err := datagen.Generate(ctx, db, snap, datagen.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return db, snap, res
}

func runLoad(t *testing.T, db *sql.DB, p *load.Profile, opts load.Options, d time.Duration) *load.Result {
	t.Helper()
	g, err := load.New(db, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	return g.Stop()
}

// The load's inserts into a generated table are datagen's rows past the
// generated ones: with the server's unique and foreign-key checks on, none
// fails (no duplicate key, no missing parent, no truncation), and the new
// rows keep the snapshot's null fractions and ranges.
func TestInsertsAreValidRows(t *testing.T) {
	db, snap, gen := generated(t, "RESTRICT")
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: snap.Table("d", "ord")}}, load.Mix{Insert: 1})
	if err != nil {
		t.Fatal(err)
	}
	const rate, secs = 300.0, 2
	res := runLoad(t, db, p, load.Options{Rate: rate, Data: gen.Model}, secs*time.Second)
	c := res.Writes.Classes
	if c[load.Other] > 0 || c[load.SchemaMismatch] > 0 || c.Errors() > 0 {
		t.Errorf("insert errors: %v (duplicate keys and missing parents are %q, truncation %q)", c.Map(), load.Other, load.SchemaMismatch)
	}
	var n int64
	var noteNull, shippedNull, lo, hi float64
	if err := db.QueryRow(`SELECT COUNT(*), AVG(note IS NULL), AVG(shipped_at IS NULL), MIN(amount), MAX(amount)
		FROM d.ord WHERE id > 2000`).Scan(&n, &noteNull, &shippedNull, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if n < int64(rate*secs*0.8) || n != res.Writes.Ops-c[load.Canceled] {
		t.Errorf("%d rows inserted; the load ran %d inserts (%d canceled)", n, res.Writes.Ops, c[load.Canceled])
	}
	if math.Abs(noteNull-0.4) > 0.05 || math.Abs(shippedNull-0.25) > 0.05 {
		t.Errorf("null fractions of the new rows: note %.3f (want 0.40), shipped_at %.3f (want 0.25), ± 0.05", noteNull, shippedNull)
	}
	if lo < 5 || hi > 500 {
		t.Errorf("amount of the new rows in [%.2f, %.2f], want within the snapshot's [5, 500]", lo, hi)
	}
	var orphans int64
	if err := db.QueryRow("SELECT COUNT(*) FROM d.ord o LEFT JOIN d.cust c ON c.id = o.cust_id WHERE c.id IS NULL").Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans > 0 {
		t.Errorf("%d orders name no customer", orphans)
	}
	t.Logf("%d rows inserted at %.0f/s: note NULL %.3f, shipped_at NULL %.3f, amount [%.2f, %.2f]", n, rate, noteNull, shippedNull, lo, hi)
}

// Customers deleted by the load (ON DELETE CASCADE lets the deletes
// succeed) stop being named by new orders: the inserts do not fail on
// the foreign key though a good share of the parents is gone.
func TestInsertsAvoidDeletedParents(t *testing.T) {
	db, snap, gen := generated(t, "CASCADE")
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: snap.Table("d", "ord"), Weight: 10}}, load.Mix{Insert: 1})
	if err != nil {
		t.Fatal(err)
	}
	dels, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: snap.Table("d", "cust")}}, load.Mix{Delete: 1})
	if err != nil {
		t.Fatal(err)
	}
	p.Templates = append(p.Templates, dels.Templates...)
	// 250 order inserts and 25 customer deletes a second: about 50 of the
	// 200 customers go in 2 s, and the orders naming them with them.
	res := runLoad(t, db, p, load.Options{Rate: 275, Data: gen.Model}, 2*time.Second)
	var inserts, failed int64
	for _, ts := range res.Window(res.Started, res.Stopped).Templates {
		if ts.Name == "insert d.ord" {
			inserts, failed = ts.Ops, ts.Classes[load.Other]
		}
	}
	gone := 200 - queryCount(t, db, "SELECT COUNT(*) FROM d.cust WHERE id <= 200")
	if gone < 20 {
		t.Fatalf("only %d customers deleted: the test needs more to mean anything", gone)
	}
	// A delete that commits while an insert naming its row is on its way
	// can still make that insert fail: allow a sliver.
	if failed > inserts/100 {
		t.Errorf("%d of %d order inserts failed (%v) with %d customers deleted", failed, inserts, res.Writes.Classes.Map(), gone)
	}
	t.Logf("%d customers deleted, %d order inserts, %d failed", gone, inserts, failed)
}

func queryCount(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
