package datacache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

// Format marks the manifests (and keys) this build writes. v2: every file's
// CRC-32C is in the manifest. Entries of another format are never looked up
// (the key differs) and are removed by Prune.
const Format = "rehearse.datacache/v2"

// Key is everything that shapes a filled datadir. Two rehearsals with equal
// keys would restore and generate byte-for-byte the same rows on the same
// server build.
type Key struct {
	Format string `json:"format"`
	// Snapshot is SnapshotDigest: the schema, statistics, history and
	// settings, not the capture time or the source's identity.
	Snapshot string           `json:"snapshot"`
	Scale    float64          `json:"scale"`
	Rows     map[string]int64 `json:"rows,omitempty"`
	Tables   []string         `json:"tables,omitempty"`
	Seed     uint64           `json:"seed"`
	// Generator is datagen.OutputVersion.
	Generator int          `json:"generator"`
	Build     engine.Build `json:"build"`
	// Settings are the server's start-up settings except the ones that
	// only change timing (RuntimeOnly): page size, file-per-table, row
	// format, character set and collation, sql_mode, ...
	Settings map[string]string `json:"settings,omitempty"`
}

// ID is the key's digest, the entry's folder name (32 hex digits).
func (k Key) ID() string {
	b, _ := json.Marshal(k) // maps marshal with sorted keys
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Short is the ID's first 12 digits, for people.
func (k Key) Short() string { return k.ID()[:12] }

// Data says what fills the datadir: the restore of Snapshot and the
// generation's inputs.
type Data struct {
	Snapshot *snapshot.Snapshot
	Scale    float64          // 0 means 1
	Rows     map[string]int64 // per-table overrides (datagen.Options.Rows)
	Tables   []string         // "" = restore.DataTables(Snapshot)
	Seed     uint64
}

func (d Data) scale() float64 {
	if d.Scale == 0 {
		return 1
	}
	return d.Scale
}

func (d Data) tables() []string {
	if len(d.Tables) > 0 {
		return d.Tables
	}
	return restore.DataTables(d.Snapshot)
}

// GenerateOptions are the datagen options Data stands for.
func (d Data) GenerateOptions() datagen.Options {
	return datagen.Options{Scale: d.scale(), Rows: d.Rows, Seed: d.Seed, Tables: d.tables()}
}

// RuntimeOnly lists the start-up settings left out of a key: they change
// how fast or how long the server does things, not the files it writes
// (capacity rehearsals scale the buffer pool and the redo log per scale;
// the redo log is resized at start). Every other setting is in the key.
var RuntimeOnly = map[string]bool{
	"innodb_buffer_pool_size": true, "innodb_log_file_size": true, "innodb_redo_log_capacity": true,
	"innodb_log_buffer_size": true, "lock_wait_timeout": true, "innodb_lock_wait_timeout": true,
	"max_statement_time": true, "max_execution_time": true, "transaction_isolation": true, "tx_isolation": true,
	"innodb_online_alter_log_max_size": true, "alter_algorithm": true, "old_alter_table": true,
	"innodb_instant_alter_column_allowed": true, "max_allowed_packet": true, "tmp_table_size": true,
	"max_heap_table_size": true, "innodb_ddl_threads": true, "innodb_ddl_buffer_size": true,
	"innodb_parallel_read_threads": true, "innodb_io_capacity": true, "innodb_io_capacity_max": true,
	"innodb_flush_log_at_trx_commit": true, "sync_binlog": true, "max_connections": true,
}

// KeyFor is the key of data on the server eng would start for base (the
// snapshot's flavor, version and settings over base, as a rehearsal starts
// it: restore.StartOptions). An engine without a datadir on this host gives
// an error wrapping engine.ErrNoDatadir.
func KeyFor(ctx context.Context, eng engine.Engine, base engine.Options, d Data) (Key, error) {
	if d.Snapshot == nil {
		return Key{}, fmt.Errorf("datacache: no snapshot")
	}
	so := restore.StartOptions(d.Snapshot, base)
	build, err := engine.BuildOf(ctx, eng, so)
	if err != nil {
		return Key{}, err
	}
	k := Key{Format: Format, Snapshot: SnapshotDigest(d.Snapshot), Scale: d.scale(), Seed: d.Seed,
		Generator: datagen.OutputVersion, Build: build, Settings: map[string]string{}}
	if len(d.Rows) > 0 {
		k.Rows = d.Rows
	}
	k.Tables = append([]string(nil), d.tables()...)
	sort.Strings(k.Tables)
	for name, v := range so.Settings {
		n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
		if !RuntimeOnly[n] {
			k.Settings[n] = v
		}
	}
	return k, nil
}

// SnapshotDigest digests what of a snapshot shapes a restored and filled
// datadir: the source's flavor and version, its settings, every schema
// (objects and statistics) and the migration history. The capture time,
// the tool, the source's identity and the workload digests are left out:
// a snapshot taken again of an unchanged production has the same digest.
func SnapshotDigest(snap *snapshot.Snapshot) string {
	b, _ := json.Marshal(struct {
		Flavor   string             `json:"flavor"`
		Version  string             `json:"version"`
		Settings map[string]string  `json:"settings"`
		Schemas  []snapshot.Schema  `json:"schemas"`
		History  []snapshot.History `json:"history"`
	}{snap.Source.Flavor, snap.Source.Version, snap.Settings, snap.Schemas, snap.History})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
