package plan

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/redact"
)

// Calibration is this engine's measured speed for the two long DDL kinds:
// copying a table (COPY, or an in-place rebuild) and building an index.
type Calibration struct {
	Flavor          string    `json:"flavor"`
	Version         string    `json:"version"`
	Engine          string    `json:"engine"`
	Rows            int64     `json:"rows"`      // rows of the calibration table
	RowBytes        int64     `json:"row_bytes"` // its average row length
	CopyRowsPerSec  float64   `json:"copy_rows_per_sec"`
	IndexRowsPerSec float64   `json:"index_rows_per_sec"`
	MeasuredAt      time.Time `json:"measured_at"`
	Source          string    `json:"source"` // "measured" or "cached"
}

// CalibrationMaxAge is how long a cached calibration is trusted.
var CalibrationMaxAge = 30 * 24 * time.Hour

// calibrationRows is the size of the calibration table: big enough that
// the copy is not dominated by fixed costs, small enough to take ~1 s.
var calibrationRows = 100_000

func calibrationPath(dir, engine, flavor, version string) string {
	return filepath.Join(dir, "calibration", fmt.Sprintf("%s-%s-%s.json", engine, flavor, version))
}

// cachedCalibration reads a fresh cached calibration, or nil.
func cachedCalibration(dir, engine, flavor, version string, now time.Time) *Calibration {
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(calibrationPath(dir, engine, flavor, version))
	if err != nil {
		return nil
	}
	var c Calibration
	if json.Unmarshal(b, &c) != nil || c.CopyRowsPerSec <= 0 || c.IndexRowsPerSec <= 0 || now.Sub(c.MeasuredAt) > CalibrationMaxAge {
		return nil
	}
	c.Source = "cached"
	return &c
}

// Calibrate returns the cached calibration for this engine, flavor and
// version, or measures one on conn's server (in a scratch database it drops
// again) and caches it in dir ("" = do not cache).
func Calibrate(ctx context.Context, conn *sql.Conn, dir, engine, flavor, version string) (*Calibration, error) {
	if c := cachedCalibration(dir, engine, flavor, version, time.Now()); c != nil {
		return c, nil
	}
	c, err := measure(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	c.Flavor, c.Version, c.Engine, c.Source = flavor, version, engine, "measured"
	if dir != "" {
		p := calibrationPath(dir, engine, flavor, version)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			b, _ := json.MarshalIndent(c, "", "  ")
			_ = redact.WriteFile(p, b, redact.Perm)
		}
	}
	return c, nil
}

func measure(ctx context.Context, conn *sql.Conn) (c *Calibration, err error) {
	// A name of its own (the server may be shared: the dsn engine's), made
	// by this process; only what was created here is dropped.
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	db := "rehearse_cal_" + hex.EncodeToString(b)
	exec := func(q string) error {
		_, err := conn.ExecContext(ctx, q)
		return err
	}
	// Owned by a named lock on this connection (engine.LockScratch):
	// rehearse doctor --dsn tells a killed calibration's database by it.
	if err := engine.LockScratch(ctx, conn, db); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "SELECT RELEASE_LOCK(?)", db) }()
	if err := exec("CREATE DATABASE " + db); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "DROP DATABASE "+db) }()
	steps := []string{
		"CREATE TABLE " + db + ".d (n int PRIMARY KEY) ENGINE=InnoDB",
		"INSERT INTO " + db + ".d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)",
		"CREATE TABLE " + db + ".c (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, a int NOT NULL, b bigint, " +
			"s varchar(64), u varchar(26) NOT NULL, t datetime, m decimal(14,2)) ENGINE=InnoDB",
	}
	for _, q := range steps {
		if err := exec(q); err != nil {
			return nil, err
		}
	}
	joins := []string{db + ".d d1"}
	for n := 10; n < calibrationRows; n *= 10 {
		joins = append(joins, fmt.Sprintf("%s.d d%d", db, len(joins)+1))
	}
	ins := "INSERT INTO " + db + ".c (a, b, s, u, t, m) SELECT d1.n, d1.n * 7919 + d2.n, " +
		"CONCAT('calibration-row-', d1.n, '-', d2.n), LPAD(CONV(d1.n * 1000 + d2.n, 10, 36), 26, 'x'), " +
		"'2024-01-01 00:00:00' + INTERVAL d2.n MINUTE, d1.n / 3 FROM " + strings.Join(joins, " CROSS JOIN ")
	if err := exec(ins); err != nil {
		return nil, err
	}
	c = &Calibration{MeasuredAt: time.Now().UTC()}
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+db+".c").Scan(&c.Rows); err != nil {
		return nil, err
	}
	if err := exec("ANALYZE TABLE " + db + ".c"); err != nil {
		return nil, err
	}
	_ = conn.QueryRowContext(ctx, "SELECT AVG_ROW_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA=? AND TABLE_NAME='c'", db).Scan(&c.RowBytes)
	start := time.Now()
	if err := exec("ALTER TABLE " + db + ".c FORCE, ALGORITHM=COPY"); err != nil {
		return nil, err
	}
	c.CopyRowsPerSec = float64(c.Rows) / time.Since(start).Seconds()
	start = time.Now()
	if err := exec("ALTER TABLE " + db + ".c ADD INDEX iu (u), ALGORITHM=INPLACE"); err != nil {
		return nil, err
	}
	c.IndexRowsPerSec = float64(c.Rows) / time.Since(start).Seconds()
	return c, nil
}
