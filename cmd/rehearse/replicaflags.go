package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/replica"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// replicaFlags are the flags of the replication topology a rehearsal
// reproduces (run, capacity).
type replicaFlags struct {
	Replicas   int
	Max        int
	Mode       string
	Reads      float64
	StaleAfter time.Duration
	Settings   []string
	CatchUp    time.Duration
	Galera     int
	OSUMethod  string
}

const replicasHelp = `Replicas: production's replicas replay every migration after the primary committed it.
By default the rehearsal starts as many replicas as the snapshot shows (at most
--max-replicas; the report says when it capped), built from the filled primary's datadir,
with production's binary log, GTID, parallel-apply and semi-sync settings; --replicas N
asks for N, --replicas 0 for none. Each statement then reports each replica's lag (a
heartbeat written on the primary every 100 ms and read on each replica), how long the
replica took to apply it, whether writes queued behind it, and --replica-reads R sends R
reads/s to the replicas and counts the stale ones. With replicas, max-replica-lag=10s is a
default gate. Galera: when the snapshot shows a Galera cluster (or --galera N asks) the
rehearsal starts N nodes (at most 3) of MariaDB with galera-4 (the host's on the local
engine, the rehearse/mariadb image on the docker engine), from copies of the filled
datadir, with production's wsrep_OSU_method (--galera-osu TOI|RSU to compare); the load
and the migration run on node-1, a writer on every node, and each statement shows every
node's longest write and flow control: under TOI a DDL stalls them all (RUN245), a large
transaction makes flow control pause the cluster (RUN246), under RSU a DDL waits for the
node's own writes (RUN247). docs/replicas.md.`

func addReplicaFlags(cmd *cobra.Command) *replicaFlags {
	f := &replicaFlags{}
	fs := cmd.Flags()
	fs.IntVar(&f.Replicas, "replicas", rehearsal.AutoReplicas, "replicas to start from the filled primary (default: as many as the snapshot shows, at most --max-replicas; 0: none)")
	fs.IntVar(&f.Max, "max-replicas", rehearsal.DefaultMaxReplicas, "at most this many of the snapshot's replicas (the report says when it capped)")
	fs.StringVar(&f.Mode, "replication", "", "replication mode: async or semi-sync (default: the snapshot's)")
	fs.Float64Var(&f.Reads, "replica-reads", 0, "reads per second sent to the replicas, counting stale reads (rows the primary acknowledged --stale-after earlier that a replica does not have)")
	fs.DurationVar(&f.StaleAfter, "stale-after", replica.DefaultStaleAfter, "with --replica-reads: the age from which a row missing on a replica makes a read stale")
	fs.StringArrayVar(&f.Settings, "replica-set", nil, "a server option for the replicas only, `var=value` (repeatable), e.g. slave_parallel_threads=4")
	fs.DurationVar(&f.CatchUp, "replica-catch-up", rehearsal.DefaultCatchUp, "how long the replicas may take to apply everything after the rollback")
	fs.IntVar(&f.Galera, "galera", rehearsal.AutoGalera, fmt.Sprintf("Galera nodes to start instead of replicas, 2 to %d, local or docker engine with galera-4 (default: the snapshot's cluster, at most %d; 0: none)", replica.MaxGaleraNodes, replica.MaxGaleraNodes))
	fs.StringVar(&f.OSUMethod, "galera-osu", "", "with a Galera cluster: wsrep_OSU_method TOI or RSU (default: the snapshot's, else TOI)")
	return f
}

// apply checks the flags and sets them on the rehearsal's options.
func (f *replicaFlags) apply(ro *rehearsal.Options) error {
	if f.Replicas < rehearsal.AutoReplicas {
		return usageError{rehearse.WithHint(fmt.Errorf("--replicas %d: negative", f.Replicas), "give the number of replicas, or 0 for none")}
	}
	if f.Max < 1 {
		return usageError{rehearse.WithHint(fmt.Errorf("--max-replicas %d", f.Max), "give at least 1")}
	}
	switch f.Mode {
	case "", replica.Async, replica.SemiSync:
	default:
		return usageError{rehearse.WithHint(fmt.Errorf("--replication %q", f.Mode), "use async or semi-sync")}
	}
	if f.Reads < 0 || f.StaleAfter <= 0 || f.CatchUp <= 0 {
		return usageError{rehearse.WithHint(fmt.Errorf("--replica-reads, --stale-after and --replica-catch-up must be positive"), "e.g. --replica-reads 50 --stale-after 1s")}
	}
	if f.Replicas == 0 && (f.Reads > 0 || f.Mode != "" || len(f.Settings) > 0) {
		return usageError{rehearse.WithHint(fmt.Errorf("--replica-reads, --replication and --replica-set need replicas"), "drop --replicas 0, or give --replicas N")}
	}
	if f.Galera < rehearsal.AutoGalera || f.Galera == 1 || f.Galera > replica.MaxGaleraNodes {
		return usageError{rehearse.WithHint(fmt.Errorf("--galera %d", f.Galera), "give 2 to %d nodes (this machine runs at most %d), or 0 for none", replica.MaxGaleraNodes, replica.MaxGaleraNodes)}
	}
	switch strings.ToUpper(f.OSUMethod) {
	case "", "TOI", "RSU":
	default:
		return usageError{rehearse.WithHint(fmt.Errorf("--galera-osu %q", f.OSUMethod), "use TOI or RSU")}
	}
	if f.Galera > 0 && (f.Replicas > 0 || f.Reads > 0 || f.Mode != "" || len(f.Settings) > 0) {
		return usageError{rehearse.WithHint(fmt.Errorf("--galera with --replicas, --replication, --replica-reads or --replica-set"), "a rehearsal starts a Galera cluster or a primary with replicas, not both: drop one")}
	}
	if f.Galera == 0 && f.OSUMethod != "" {
		return usageError{rehearse.WithHint(fmt.Errorf("--galera-osu needs a Galera cluster"), "drop --galera 0, or give --galera N")}
	}
	ro.Replicas = rehearsal.ReplicaOptions{Count: f.Replicas, Max: f.Max, Mode: f.Mode, Reads: f.Reads, StaleAfter: f.StaleAfter, CatchUp: f.CatchUp,
		Galera: f.Galera, OSUMethod: strings.ToUpper(f.OSUMethod)}
	for _, s := range f.Settings {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usageError{fmt.Errorf("--replica-set %q: want var=value", s)}
		}
		if ro.Replicas.Settings == nil {
			ro.Replicas.Settings = map[string]string{}
		}
		ro.Replicas.Settings[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return nil
}
