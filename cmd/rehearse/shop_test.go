package main

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/snapshot"
)

// shopFixture is a small production stand-in for the command tests: the
// snapshot of a real MariaDB server (database shop: customers, orders with
// a foreign key, goose's history table with migrations 1 and 2 applied)
// and the release's goose folder, whose migration 3 (a nullable column on
// orders, with its down) is pending.
type shopFixture struct {
	Dir        string // holds snapshot.json and migrations/
	Snapshot   string
	Migrations string
}

// shopSchema is production: what migrations 1 and 2 created, some rows,
// and goose's history saying so.
var shopSchema = []string{
	"CREATE DATABASE shop",
	"CREATE TABLE shop.customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL, UNIQUE KEY uq_email (email))",
	"CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, created_at DATETIME NOT NULL, " +
		"KEY ix_customer (customer_id), CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES shop.customers (id))",
	"CREATE TABLE shop.goose_db_version (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, version_id BIGINT NOT NULL, is_applied TINYINT(1) NOT NULL, tstamp TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
	"INSERT INTO shop.goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1), (2, 1)",
	"INSERT INTO shop.customers (email, name) SELECT CONCAT('c', seq, '@example.com'), CONCAT('Customer ', seq) FROM shop.seq_1_to_300",
	"INSERT INTO shop.orders (customer_id, total, created_at) SELECT 1 + seq % 300, (seq % 997) / 10, '2024-01-01' + INTERVAL seq MINUTE FROM shop.seq_1_to_2000",
	"ANALYZE TABLE shop.customers, shop.orders",
}

// shopMigrations is the release's goose folder.
var shopMigrations = map[string]string{
	"00001_create_customers.sql": "-- +goose Up\nCREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL, UNIQUE KEY uq_email (email));\n\n-- +goose Down\nDROP TABLE customers;\n",
	"00002_create_orders.sql": "-- +goose Up\nCREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, created_at DATETIME NOT NULL,\n" +
		"  KEY ix_customer (customer_id), CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id));\n\n-- +goose Down\nDROP TABLE orders;\n",
	"00003_add_order_note.sql": "-- +goose Up\nALTER TABLE orders ADD COLUMN note VARCHAR(200) NULL;\n\n-- +goose Down\nALTER TABLE orders DROP COLUMN note;\n",
}

var (
	shopOnce     sync.Once
	shopSnap     []byte
	shopErr      error
	shopNoServer bool // shopErr is the server's failure to start
)

// captureShop snapshots shopSchema on a fresh local MariaDB once per test
// binary (column statistics included, as `rehearse snapshot --column-stats`).
func captureShop(t *testing.T) []byte {
	t.Helper()
	shopOnce.Do(func() {
		ctx := context.Background()
		srv, err := testserver.LocalMariaDB().Engine.Start(ctx, testserver.LocalMariaDB().Options)
		if err != nil {
			shopErr, shopNoServer = err, true
			return
		}
		defer srv.Stop(context.Background())
		db, err := srv.Open("")
		if err != nil {
			shopErr = err
			return
		}
		defer db.Close()
		for _, s := range shopSchema {
			if _, err := db.Exec(s); err != nil {
				shopErr = err
				return
			}
		}
		snap, err := snapshot.Capture(ctx, db, snapshot.CaptureOptions{Databases: []string{"shop"}, ColumnStats: true, SkipPrivilegeCheck: true, Origin: "shopFixture"})
		if err != nil {
			shopErr = err
			return
		}
		f := filepath.Join(os.TempDir(), "rehearse-shop-"+srv.Version+".json")
		if err := snapshot.WriteFile(f, snap); err != nil {
			shopErr = err
			return
		}
		defer os.Remove(f)
		shopSnap, shopErr = os.ReadFile(f)
	})
	if shopErr != nil && shopNoServer {
		testserver.Unavailable(t, "local-mariadb", shopErr)
	}
	if shopErr != nil {
		t.Fatalf("the shop fixture: %v", shopErr)
	}
	return shopSnap
}

// newShop writes the fixture to a fresh folder; migrations replaces the
// release's folder when given (file name → content).
func newShop(t *testing.T, migrations map[string]string) shopFixture {
	t.Helper()
	snap := captureShop(t)
	dir := t.TempDir()
	f := shopFixture{Dir: dir, Snapshot: filepath.Join(dir, "snapshot.json"), Migrations: filepath.Join(dir, "migrations")}
	if err := os.WriteFile(f.Snapshot, snap, 0o644); err != nil {
		t.Fatal(err)
	}
	if migrations == nil {
		migrations = shopMigrations
	}
	if err := os.MkdirAll(f.Migrations, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range migrations {
		if err := os.WriteFile(filepath.Join(f.Migrations, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// write puts a file into the fixture's folder and returns its path.
func (f shopFixture) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(f.Dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
