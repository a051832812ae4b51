package run

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
)

// pt-osc under the docker engine: it runs on this host and reaches the
// container by its published port, with root's random password from the
// option file rehearse writes (never on its command line). Alone, and with
// a replica: the replicas have passwords of their own, so pt-osc connects
// as an account made on the primary and replicated to them.
func TestStrategyPTOSCDocker(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/strategies.sh") // two minutes of containers
	testserver.Tool(t, "pt-online-schema-change", "percona-toolkit")
	target := testserver.DockerMariaDB()
	testserver.Need(t, target)
	local := testserver.LocalMariaDB()
	testserver.Need(t, local)
	snap := sourceSnapshot(t, local, 20000) // the same 10.11 schema; rehearsed in the container
	set := writeMigrations(t, copyFiles())
	for _, replicas := range []int{0, 1} {
		rep := rehearseRun(t, target, snap, set, func(o *Options) {
			o.Strategy = StrategyOptions{Name: StrategyPTOSC, PTOSCArgs: []string{"--chunk-time", "0.1"}}
			o.Replicas = ReplicaOptions{Count: replicas}
			o.SkipRollback = true
		})
		s := stmt(t, rep, "3", 1)
		notes := strings.Join(s.StrategyNotes, "\n")
		t.Logf("docker, %d replica(s): pt-osc %s %.3f s, blocked %.1f%%, cut-over stall %.3f s\n%s\n%s\n%s", replicas, s.Status, s.DurationS, 100*s.BlockedShare, s.CutOverStallS, s.Tool, notes, strings.Join(s.ToolOutput, "\n"))
		if rep.Inputs.Engine != "docker" {
			t.Fatalf("engine %q, want docker", rep.Inputs.Engine)
		}
		if s.Status != "ok" || s.Strategy != StrategyPTOSC || !strings.Contains(strings.Join(s.ToolOutput, "\n"), "Successfully altered") {
			t.Fatalf("docker, %d replica(s): pt-osc %s %q", replicas, s.Status, s.Error)
		}
		if rep.Strategy == nil || len(rep.Strategy.Leftovers) > 0 || !strings.Contains(rep.Strategy.Tables["investments"], "decimal(18,4)") {
			t.Errorf("docker, %d replica(s): the table after pt-osc %+v", replicas, rep.Strategy)
		}
		if strings.Contains(s.Tool, "p=") || strings.Contains(s.Tool, "password") {
			t.Errorf("pt-osc's command line %q shows a password", s.Tool)
		}
		if replicas > 0 {
			if !strings.Contains(notes, "found 1 of the rehearsal's 1 replica") {
				t.Errorf("notes %q: want pt-osc to have found the container replica", notes)
			}
			if len(s.Replicas) != 1 || s.Replicas[0].NotApplied {
				t.Errorf("the replica's figures %+v: want the change applied on it", s.Replicas)
			}
		}
	}
}
