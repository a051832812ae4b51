package snapshot_test

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/snapshot"
)

// TestDiffTopology compares a production source (3 replicas, semi-sync,
// parallel apply, MySQL names) with a staging server of each other shape,
// and reads production's older variable names the same way.
func TestDiffTopology(t *testing.T) {
	three := 3
	prod := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mysql", Version: "8.0.36", Identity: &snapshot.Identity{
		Replicas: make([]snapshot.Downstream, 3), ReplicasFrom: "show-replicas", SemiSyncClients: &three}},
		Settings: map[string]string{"log_bin": "ON", "binlog_format": "ROW", "gtid_mode": "ON", "replica_parallel_workers": "4",
			"rpl_semi_sync_source_enabled": "ON", "rpl_semi_sync_source_timeout": "10000"}}
	staging := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mysql", Version: "8.0.36", Identity: &snapshot.Identity{ReplicasFrom: "show-replicas"}},
		Settings: map[string]string{"log_bin": "ON", "binlog_format": "ROW", "gtid_mode": "ON", "replica_parallel_workers": "0"}}
	d := snapshot.Diff(prod, staging, snapshot.DiffOptions{NameA: "production", NameB: "staging"})
	got := map[string]string{}
	for _, f := range d.Findings {
		if f.Kind == snapshot.DriftTopology {
			got[f.Object] = f.Consequence
		}
	}
	for obj, want := range map[string]string{
		"replicas":       "production has 3 replica(s) and staging none",
		"role":           "production is a source with replicas and staging a standalone server",
		"parallel apply": "4 parallel workers in production and one serial applier in staging",
		"semi-sync":      "does not bound replica lag",
	} {
		if !strings.Contains(got[obj], want) {
			t.Errorf("%s: consequence %q, want it to say %q", obj, got[obj], want)
		}
	}
	for _, f := range d.Findings {
		if f.Kind == snapshot.DriftSettings && strings.HasPrefix(f.Object, "replica_") {
			t.Errorf("a replication variable reported as settings drift too: %+v", f)
		}
	}
	// MySQL before 8.0.26 names the same settings slave_* and master_*.
	old := &snapshot.Snapshot{Source: prod.Source, Settings: map[string]string{"log_bin": "ON", "binlog_format": "ROW", "gtid_mode": "ON",
		"slave_parallel_workers": "4", "rpl_semi_sync_master_enabled": "ON"}}
	if n := snapshot.Diff(prod, old, snapshot.DiffOptions{}).Count(snapshot.DriftTopology); n != 0 {
		t.Errorf("the same topology under the older names: %d topology findings", n)
	}
	galera := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mariadb", Version: "10.11.6", Identity: &snapshot.Identity{GaleraCluster: "c0ffee", GaleraSize: 3, ReplicasFrom: "show-replicas"}},
		Settings: map[string]string{"wsrep_on": "ON", "wsrep_osu_method": "TOI"}}
	plain := &snapshot.Snapshot{Source: snapshot.Source{Flavor: "mariadb", Version: "10.11.6", Identity: &snapshot.Identity{ReplicasFrom: "show-replicas"}},
		Settings: map[string]string{"wsrep_on": "OFF", "wsrep_osu_method": "TOI"}}
	found := false
	for _, f := range snapshot.Diff(galera, plain, snapshot.DiffOptions{}).Findings {
		found = found || f.Object == "galera" && strings.Contains(f.Consequence, "blocks writes on the whole cluster")
	}
	if !found {
		t.Errorf("a Galera node against a plain server: no galera drift")
	}
}
