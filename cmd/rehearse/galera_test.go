package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/replica"
	"github.com/rehearse/rehearse/rehearse/result"
	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// `rehearse run --galera 3 --galera-osu RSU`, end to end on the local
// engine, with the load on node-1 writing the altered table (orders) and
// the table its foreign key references (customers): RSU desyncs node-1
// and pauses its commits before the ALTER takes its metadata lock, so the
// load's transactions that hold a lock on those tables wait for
// certification and the ALTER waits for them until lock_wait_timeout
// (5 s here; production's is a day). Only node-1 stalls — no RUN245, the
// other nodes' writers go on — and RUN247 says why. The servers' word:
// the ALTER's error (1205) and its blocker (a load session, from the lock
// monitor), node-1's receive queue growing while it sent no FC_PAUSE
// (desynced), and every node's schema after the release, read once each
// had applied what the cluster had committed: unchanged everywhere.
// (An RSU ALTER that gets its lock, with writers on other tables only,
// stays on node-1: rehearse/replica's TestGaleraDDLStallsEveryNode.)
func TestRunGaleraRSU(t *testing.T) {
	target := testserver.LocalMariaDB()
	testserver.Need(t, target)
	if err := replica.GaleraSupported(context.Background(), target.Engine, target.Options); err != nil {
		testserver.Missing(t, err.Error(), "apt-get install galera-4 (scripts/setup.sh installs it)")
	}
	migs := map[string]string{}
	for k, v := range shopMigrations {
		migs[k] = v
	}
	migs["00003_add_order_note.sql"] = "-- +goose Up\nALTER TABLE orders ADD COLUMN note VARCHAR(200) NULL, ALGORITHM=COPY;\n\n-- +goose Down\nALTER TABLE orders DROP COLUMN note;\n"
	f := newShop(t, migs)
	out := filepath.Join(t.TempDir(), "report.json")
	code, _, stderr := runRehearse(t, nil, "run", "--snapshot", f.Snapshot, "--migrations", f.Migrations, "--engine", "local",
		"--galera", "3", "--galera-osu", "RSU", "--rows", "orders=300000", "--baseline", "1s", "--app-compat-window", "500ms", "--load", "50", "--lock-wait-timeout", "5s", "-o", out)
	if testing.Verbose() {
		t.Log(stderr)
	}

	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep result.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("exit %d, verdict %s: %s", code, rep.Verdict, rep.Reason)
	rp := rep.Replication
	if rp == nil || rp.GaleraNodes != 3 || rp.OSUMethod != "RSU" {
		t.Fatalf("replication: %+v", rp)
	}
	if code == 1 && (strings.Contains(rep.Reason, "node-2") || strings.Contains(rep.Reason, "node-3")) {
		t.Errorf("the verdict blames another node under RSU: %s", rep.Reason)
	}
	var s *result.Statement
	for i, m := range rep.Migrations {
		if strings.TrimLeft(m.Version, "0") == "3" && len(m.Statements) > 0 {
			s = &rep.Migrations[i].Statements[0]
		}
	}
	if s == nil || len(s.Galera) != 3 {
		t.Fatalf("the ALTER's figures: %+v", s)
	}
	t.Logf("the ALTER: %s after %.3f s, lock wait %.3f s behind %s", s.Status, s.DurationS, s.LockWaitS, s.BlockedBy)
	if s.Status != "failed" || s.ErrorCode != 1205 || s.LockWaitS < 4.9 {
		t.Errorf("the ALTER under RSU with the load writing orders on node-1: %s, error %d, lock wait %.3f s; want lock_wait_timeout (1205) after 5 s", s.Status, s.ErrorCode, s.LockWaitS)
	}
	if s.BlockedBy == "" || !strings.Contains(s.BlockedBy, "shop") {
		t.Errorf("blocked by %q: want one of the load's sessions on node-1", s.BlockedBy)
	}
	dur := time.Duration(s.DurationS * float64(time.Second))
	for i, g := range s.Galera {
		stall := time.Duration(g.LongestWriteMs * float64(time.Millisecond))
		t.Logf("%s: longest write %s, %d of %d writes slow", g.Node, stall.Round(time.Millisecond), g.SlowWrites, g.Writes)
		fc := g.FlowControl
		if fc == nil {
			t.Fatalf("%s: no flow-control figures", g.Node)
		}
		t.Logf("%s: flow control paused %.0f ms of %.3f s, FC_PAUSE sent %d, received %d, receive queue max %d", g.Node, fc.PausedMs, fc.WindowS, fc.Sent, fc.Recv, fc.RecvQueueMax)
		if got, want := rehearsal.StallsCluster(stall, dur), i == 0; got != want {
			t.Errorf("%s: longest write %s during the %s ALTER under RSU: stalled=%v, want %v (only node-1 runs it)", g.Node, stall.Round(time.Millisecond), dur.Round(time.Millisecond), got, want)
		}
		if i == 0 && (fc.Sent != 0 || fc.RecvQueueMax == 0) {
			t.Errorf("node-1 under RSU: FC_PAUSE sent %d, receive queue max %d; want a desynced node: none sent, its queue growing", fc.Sent, fc.RecvQueueMax)
		}
	}
	var rsu bool
	for _, fd := range rep.Findings {
		switch fd.Code {
		case codes.GaleraTOI:
			t.Errorf("%s under RSU: %s", fd.Code, fd.Message)
		case codes.GaleraRSUDeadlock:
			rsu = fd.Statement == s.Index
			t.Logf("%s: %s", fd.Code, fd.Message)
		}
	}
	if !rsu {
		t.Errorf("no %s for the ALTER; findings %+v", codes.GaleraRSUDeadlock, rep.Findings)
	}
	if len(rp.SchemaDiffers) > 0 {
		t.Errorf("the ALTER failed; the nodes' schemas after the release differ: %v", rp.SchemaDiffers)
	}
}
