package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

// chaosPhases are the phases a rehearsal is killed in, and the stderr line
// that shows each has begun (migrate and rollback print each statement).
var chaosPhases = []struct{ name, marker string }{
	{"provision", "rehearse: provision"},
	{"restore", "rehearse: restore"},
	{"probe", "rehearse: probe"},
	{"generate", "rehearse: generate"},
	{"baseline", "rehearse: baseline"},
	{"migrate", "up "},
	{"app-compat", "rehearse: app-compat"},
	{"rollback", "down "},
	{"verdict", "rehearse: verdict"},
}

// leftovers is what one killed rehearsal left behind.
type leftovers struct {
	folders, processes, containers, ports []string
}

func (l leftovers) count() int {
	return len(l.folders) + len(l.processes) + len(l.containers) + len(l.ports)
}

func (l leftovers) String() string {
	return fmt.Sprintf("folders %v, processes %v, containers %v, ports %v", l.folders, l.processes, l.containers, l.ports)
}

// TestChaos (scripts/bench.d/chaos.sh, REHEARSE_BENCH=1): rehearsals killed
// at a random moment of a random phase, SIGKILL and SIGINT alternating, on
// the local and the docker engine (REHEARSE_CHAOS_RUNS each, default 50;
// REHEARSE_CHAOS_ENGINES, default local,docker; REHEARSE_CHAOS_SEED to
// replay). After each: what is left (sandbox folders, server processes,
// containers, listening ports) must all be listed by `rehearse doctor`, and
// nothing may be left after `rehearse doctor --clean`. (Scratch databases
// are the dsn engine's; these engines have none.)
func TestChaos(t *testing.T) {
	testserver.Bench(t, "scripts/bench.d/chaos.sh")
	requireLocalMariaDB(t)
	runs := 50
	if n, err := strconv.Atoi(os.Getenv("REHEARSE_CHAOS_RUNS")); err == nil && n > 0 {
		runs = n
	}
	engines := []string{"local", "docker"}
	if e := os.Getenv("REHEARSE_CHAOS_ENGINES"); e != "" {
		engines = strings.Split(e, ",")
	}
	seed := time.Now().UnixNano()
	if s, err := strconv.ParseInt(os.Getenv("REHEARSE_CHAOS_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("REHEARSE_CHAOS_SEED=%d", seed)
	rng := rand.New(rand.NewSource(seed))
	bin := rehearseBinary(t)
	exp := exportSeed(t)

	for _, eng := range engines {
		if eng == "docker" {
			testserver.Need(t, testserver.DockerMariaDB())
		}
		var listedAll, cleanAll = true, 0
		var before, sigkill, sigint, missed int
		phaseHits := map[string]int{}
		for i := 0; i < runs; i++ {
			sig := syscall.SIGKILL
			if i%2 == 1 {
				sig = syscall.SIGINT
			}
			ph := chaosPhases[rng.Intn(len(chaosPhases))]
			delay := time.Duration(rng.Int63n(int64(1500 * time.Millisecond)))
			res := chaosRun(t, bin, exp, eng, ph.marker, delay, sig)
			phaseHits[res.phase]++
			if !res.reached {
				missed++
			}
			left := res.left
			if left.count() > 0 {
				before++
				if sig == syscall.SIGKILL {
					sigkill++
				} else {
					sigint++
				}
			}
			listed, stale := doctorLists(t, bin, res.tmp, left)
			listedAll = listedAll && listed
			after := chaosCleanup(t, bin, res)
			cleanAll += after.count()
			t.Logf("chaos %s #%d: %s in %s (+%s, killed in %q), exit %d; left %d (%s); doctor listed it: %v; after doctor --clean: %d %s",
				eng, i+1, sig, ph.name, delay.Round(time.Millisecond), res.phase, res.exit, left.count(), left, listed, after.count(), stale)
			if !listed {
				t.Errorf("chaos %s #%d: doctor did not list what was left: %s\n%s", eng, i+1, left, stale)
			}
			if after.count() > 0 {
				t.Errorf("chaos %s #%d: left after doctor --clean: %s", eng, i+1, after)
			}
			if sig == syscall.SIGINT && res.exit != 2 && res.exit != 0 && res.exit != 1 {
				t.Errorf("chaos %s #%d: SIGINT: exit %d\n%s", eng, i+1, res.exit, res.stderr)
			}
		}
		t.Logf("BENCH chaos %s: %d rehearsals killed (SIGKILL and SIGINT alternating; phases %v; %d ended before their phase came): %d left something before doctor --clean (%d after SIGKILL, %d after SIGINT), all listed by doctor: %v; left after doctor --clean: %d",
			eng, runs, phaseHits, missed, before, sigkill, sigint, listedAll, cleanAll)
	}
}

type chaosResult struct {
	tmp, phase, stderr string
	reached            bool // the phase's line appeared before the process ended
	exit, pid          int
	ports              []string
	left               leftovers
}

var portRe = regexp.MustCompile(`(?:on|at) 127\.0\.0\.1:(\d+)|published on 127\.0\.0\.1:(\d+)`)

// chaosRun starts one rehearsal, waits for marker on stderr, then delay,
// then sends sig; it returns when the process is gone, with what is left.
func chaosRun(t *testing.T, bin, exp, eng, marker string, delay time.Duration, sig syscall.Signal) chaosResult {
	t.Helper()
	tmp, err := os.MkdirTemp("/tmp", "rh-chaos-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", filepath.Join(exp, "rehearse.yaml"), "--engine", eng, "--scale", "0.02", "--format", "json")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.Stdout = nil
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	res := chaosResult{tmp: tmp, pid: cmd.Process.Pid}
	var mu sync.Mutex
	var text strings.Builder
	phase := ""
	reached := false
	seen := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			text.WriteString(line + "\n")
			for _, p := range chaosPhases {
				if strings.HasPrefix(line, p.marker) {
					phase = p.name
				}
			}
			if m := portRe.FindStringSubmatch(line); m != nil {
				res.ports = append(res.ports, m[1]+m[2])
			}
			mu.Unlock()
			if strings.HasPrefix(line, marker) {
				mu.Lock()
				reached = true
				mu.Unlock()
				once.Do(func() { close(seen) })
			}
		}
		once.Do(func() { close(seen) }) // ended before the phase came
	}()
	<-seen
	time.Sleep(delay)
	mu.Lock()
	res.phase, res.reached = phase, reached
	mu.Unlock()
	_ = cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		err = <-done
		t.Errorf("no exit within 2 minutes of %v", sig)
	}
	res.exit = 0
	if ee, ok := err.(*exec.ExitError); ok {
		res.exit = ee.ExitCode()
	}
	mu.Lock()
	res.stderr = text.String()
	mu.Unlock()
	// A SIGKILLed process's children see the kernel's SIGKILL (Pdeathsig):
	// give it the time to arrive before counting.
	time.Sleep(500 * time.Millisecond)
	res.left = countLeftovers(t, res)
	return res
}

// countLeftovers is what one run left: sandbox folders of its pid in its
// TMPDIR, data cache entries it was building, processes naming either, containers labelled with its pid,
// ports it printed that something still listens on.
func countLeftovers(t *testing.T, r chaosResult) leftovers {
	var l leftovers
	ents, _ := os.ReadDir(r.tmp)
	for _, e := range ents {
		l.folders = append(l.folders, filepath.Join(r.tmp, e.Name()))
	}
	// A data cache entry the run was building or removing (its pid in the
	// name), and any server running from it.
	if dir := os.Getenv(dataCacheEnv); dir != "" {
		for _, prefix := range []string{".build-", ".trash-"} {
			ms, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("%s%d-*", prefix, r.pid)))
			l.folders = append(l.folders, ms...)
		}
		if out, _ := exec.Command("pgrep", "-f", "--", filepath.Join(dir, fmt.Sprintf(".build-%d-", r.pid))).Output(); len(out) > 0 {
			l.processes = append(l.processes, strings.Fields(string(out))...)
		}
	}
	if out, _ := exec.Command("pgrep", "-f", "--", r.tmp+"/").Output(); len(out) > 0 {
		l.processes = append(l.processes, strings.Fields(string(out))...)
	}
	if out, err := exec.Command("docker", "ps", "-aq", "--filter", "label=rehearse.owner.pid="+strconv.Itoa(r.pid)).Output(); err == nil && len(out) > 0 {
		l.containers = strings.Fields(string(out))
	}
	for _, p := range r.ports {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+p, 200*time.Millisecond); err == nil {
			c.Close()
			l.ports = append(l.ports, p)
		}
	}
	return l
}

// doctorLists runs `rehearse doctor` (no --clean) and reports whether its
// Stale section names every leftover folder and container (a process or a
// port left is a server running from a listed folder, or a listed
// container's).
func doctorLists(t *testing.T, bin, tmp string, l leftovers) (bool, string) {
	cmd := exec.Command(bin, "doctor")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("doctor: %v", err)
	}
	var stale []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Stale:") || (len(stale) > 0 && strings.HasPrefix(line, "          ") && !strings.Contains(line, "remove them")) {
			stale = append(stale, strings.TrimSpace(strings.TrimPrefix(line, "Stale:")))
		} else if len(stale) > 0 {
			break
		}
	}
	all := strings.Join(stale, "\n")
	for _, f := range l.folders {
		if !strings.Contains(all, f) {
			return false, all
		}
	}
	for _, c := range l.containers {
		if !strings.Contains(all, c[:min(12, len(c))]) {
			return false, all
		}
	}
	if (len(l.processes) > 0 || len(l.ports) > 0) && len(l.folders) == 0 && len(l.containers) == 0 {
		return false, all
	}
	return true, all
}

// chaosCleanup runs `rehearse doctor --clean` and counts again.
func chaosCleanup(t *testing.T, bin string, r chaosResult) leftovers {
	cmd := exec.Command(bin, "doctor", "--clean")
	cmd.Env = append(os.Environ(), "TMPDIR="+r.tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("doctor --clean: %v\n%s", err, out)
	}
	time.Sleep(200 * time.Millisecond)
	after := countLeftovers(t, r)
	if after.count() == 0 {
		os.RemoveAll(r.tmp)
	}
	return after
}
