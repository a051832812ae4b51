package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

func TestDoctorWithoutDocker(t *testing.T) {
	requireLocalMariaDB(t)
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	code, stdout, stderr := runRehearse(t, nil, "doctor", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep doctorReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, stdout)
	}
	if rep.Docker.Reachable || rep.Docker.Host != "unix:///nonexistent/docker.sock" {
		t.Errorf("docker = %+v, want unreachable at the DOCKER_HOST given", rep.Docker)
	}
	if rep.Auto.Engine != "local" || !strings.Contains(rep.Auto.Reason, "nonexistent") {
		t.Errorf("auto = %+v, want local because the daemon does not answer", rep.Auto)
	}
	found := false
	for _, b := range rep.Binaries {
		found = found || b.Flavor == "mariadb" && b.Rootfs == "" && strings.HasPrefix(b.Version, "10.11")
	}
	if !found {
		t.Errorf("binaries %+v: the host's MariaDB 10.11 is missing", rep.Binaries)
	}
	fixed := false
	for _, m := range rep.Missing {
		fixed = fixed || strings.Contains(m.What, "Docker daemon") && strings.Contains(m.Fix, "DOCKER_HOST") && strings.Contains(m.Fix, "--engine local")
	}
	if !fixed {
		t.Errorf("missing %+v: no fix for the Docker daemon", rep.Missing)
	}

	code, stdout, _ = runRehearse(t, nil, "doctor")
	if code != exitOK || !strings.Contains(stdout, "Docker:   not reachable at unix:///nonexistent/docker.sock") || !strings.Contains(stdout, "fix: ") {
		t.Errorf("doctor (text), exit %d:\n%s", code, stdout)
	}
}

func TestDoctorWithDocker(t *testing.T) {
	out, err := exec.Command("docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		testserver.Missing(t, "no Docker daemon answers `docker version`: "+strings.TrimSpace(string(out)), "install docker.io and start the daemon")
	}
	// What doctor must report, from the Docker CLI: the daemon's version
	// and the three images `make images` builds.
	want := []string{"Docker:   reachable at", "server " + strings.TrimSpace(string(out)), "Binaries:", "Servers:", "Auto:"}
	for _, tg := range []testserver.Target{testserver.DockerMySQL(), testserver.DockerMariaDB118(), testserver.DockerMariaDB()} {
		testserver.Need(t, tg)
		want = append(want, fmt.Sprintf("rehearse/%s:%s (%s %s, built by make images)", tg.Options.Flavor, tg.Options.Version, tg.Options.Flavor, tg.Options.Version))
	}
	code, stdout, stderr := runRehearse(t, nil, "doctor")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range want {
		if !strings.Contains(stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestDoctorClean(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	t.Setenv("REHEARSE_CACHE_DIR", t.TempDir())
	t.Setenv("REHEARSE_ROOTFS_DIR", t.TempDir())
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(tmp, fmt.Sprintf("rehearse-sandbox-%d-42", cmd.Process.Pid))
	mine := filepath.Join(tmp, fmt.Sprintf("rehearse-sandbox-%d-43", os.Getpid()))
	// A data cache entry a killed rehearsal was building: listed, then removed.
	cacheDir := t.TempDir()
	t.Setenv(dataCacheEnv, cacheDir)
	staleBuild := filepath.Join(cacheDir, fmt.Sprintf(".build-%d-x", cmd.Process.Pid))
	myBuild := filepath.Join(cacheDir, fmt.Sprintf(".build-%d-y", os.Getpid()))
	for _, d := range []string{stale, mine, staleBuild + "/datadir", myBuild} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A process still running from the stale folder (a server whose owner
	// was killed): listed without --clean, killed with it.
	server := exec.Command("sh", "-c", "sleep 300; :", "sh", "--datadir="+stale+"/data")
	server.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	serverDone := make(chan error, 1)
	go func() { serverDone <- server.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-server.Process.Pid, syscall.SIGKILL) })
	waitForkedChild(t, server.Process.Pid, "--datadir="+stale)
	code, stdout, stderr := runRehearse(t, nil, "doctor")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := fmt.Sprintf("Stale:    folder %s (owner pid %d gone); server process [%d] still running from it", stale, cmd.Process.Pid, server.Process.Pid); !strings.Contains(stdout, want) ||
		!strings.Contains(stdout, "rehearse doctor --clean") || strings.Contains(stdout, mine) {
		t.Errorf("doctor does not list what was left behind (want %q, not %s):\n%s", want, mine, stdout)
	}
	if !strings.Contains(stdout, "folder "+staleBuild+" (a data cache entry left half-built") || strings.Contains(stdout, myBuild) {
		t.Errorf("doctor does not list the half-built data cache entry %s (nor only it):\n%s", staleBuild, stdout)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("doctor without --clean removed %s", stale)
	}
	code, stdout, stderr = runRehearse(t, nil, "doctor", "--clean")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	select {
	case <-serverDone:
	case <-time.After(10 * time.Second):
		t.Errorf("the process running from the stale folder was not killed")
	}
	if !strings.Contains(stdout, "Cleaned:  folder "+stale) {
		t.Errorf("output does not list the removed folder:\n%s", stdout)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("stale folder %s not removed", stale)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("live process's folder %s removed", mine)
	}
	if _, err := os.Stat(staleBuild); err == nil || !strings.Contains(stdout, "Cleaned:  folder "+staleBuild) && !strings.Contains(stdout, "folder "+staleBuild) {
		t.Errorf("half-built data cache entry %s not removed and listed:\n%s", staleBuild, stdout)
	}
	if _, err := os.Stat(myBuild); err != nil {
		t.Errorf("a live process's data cache build %s removed", myBuild)
	}
	code, stdout, _ = runRehearse(t, nil, "doctor", "--clean")
	if code != exitOK || !strings.Contains(stdout, "nothing stale") {
		t.Errorf("second clean, exit %d:\n%s", code, stdout)
	}
}

// TestDoctorScratchDatabases: a dsn engine rehearsal killed with SIGKILL
// leaves its scratch database on the shared server; `rehearse doctor
// --dsn` lists it (not a running one's, not other databases), and --clean
// drops it and nothing else. A real MariaDB 10.11 as the shared server.
func TestDoctorScratchDatabases(t *testing.T) {
	requireLocalMariaDB(t)
	t.Setenv("TMPDIR", t.TempDir())
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	shared := testserver.Start(t, testserver.LocalMariaDB())
	db, err := shared.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE rehearsed_app"); err != nil { // not a scratch name
		t.Fatal(err)
	}
	scratch := func() []string {
		return queryStrings(t, db, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\_%' ORDER BY 1`)
	}
	env := []string{"REHEARSE_TARGET_DSN=" + shared.DSN()}
	killed := startSandbox(t, env, "--engine", "dsn")
	killed.waitLine(t, "working in scratch database")
	live := startSandbox(t, env, "--engine", "dsn")
	live.waitLine(t, "working in scratch database")
	defer func() {
		_ = live.cmd.Process.Signal(syscall.SIGINT)
		live.wait(t)
	}()
	both := scratch()
	if len(both) != 2 {
		t.Fatalf("scratch databases: %v, want two", both)
	}
	_ = killed.cmd.Process.Kill()
	killed.wait(t)
	// Which one was the killed process's: the one whose lock is free. The
	// server frees it when it notices the closed connection, which is not
	// at once: ask until it has (a quiet machine asked too early once).
	var dead, alive string
	for deadline := time.Now().Add(15 * time.Second); ; {
		dead, alive = "", ""
		for _, n := range both {
			var holder sql.NullInt64
			db.QueryRow("SELECT IS_USED_LOCK(?)", n).Scan(&holder)
			if holder.Valid {
				alive = n
			} else {
				dead = n
			}
		}
		if dead != "" && alive != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if dead == "" || alive == "" {
		t.Fatalf("after the SIGKILL, want one free and one held owner lock among %v", both)
	}
	t.Setenv("REHEARSE_TARGET_DSN", shared.DSN())
	code, stdout, stderr := runRehearse(t, nil, "doctor")
	if code != exitOK {
		t.Fatalf("doctor: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "scratch database "+dead+" on ") || strings.Contains(stdout, alive) || strings.Contains(stdout, "rehearsed_app") {
		t.Errorf("doctor should list %s only:\n%s", dead, stdout)
	}
	code, stdout, stderr = runRehearse(t, nil, "doctor", "--clean")
	if code != exitOK {
		t.Fatalf("doctor --clean: exit %d: %s", code, stderr)
	}
	if got := scratch(); len(got) != 1 || got[0] != alive {
		t.Errorf("after doctor --clean: %v, want only the running rehearsal's %s\n%s", got, alive, stdout)
	}
	if n := queryStrings(t, db, "SHOW DATABASES LIKE 'rehearsed_app'"); len(n) != 1 {
		t.Errorf("doctor --clean dropped rehearsed_app")
	}
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// waitForkedChild waits until the shell pid has forked its child and the
// child has run its own program: between fork and exec the child still
// shows the shell's command line (the sandbox folder in it), and doctor
// listed it as a second server process ([2659 2660]).
func waitForkedChild(t *testing.T, pid int, parentArg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		kids := strings.Fields(string(b))
		execd := len(kids) > 0
		for _, k := range kids {
			if cl, err := os.ReadFile("/proc/" + k + "/cmdline"); err != nil || strings.Contains(string(cl), parentArg) {
				execd = false
			}
		}
		if execd {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d: its child did not start within 10 s", pid)
}
