package migrations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

func TestRunCommandEnvAndRedaction(t *testing.T) {
	var out bytes.Buffer
	conn := Conn{Host: "127.0.0.1", Port: 3307, User: "app", Password: "s3cr@t", Database: "rehearse"}
	res, err := RunCommand(context.Background(), CommandOptions{
		Command: `echo "$MYSQL_HOST $MYSQL_PORT $MYSQL_USER $MYSQL_DATABASE"; echo "url=$DATABASE_URL"; echo "pw=$MYSQL_PASSWORD" >&2; printf 'no newline %s' "$MYSQL_PASSWORD"`,
		Dir:     t.TempDir(), Conn: conn, Stdout: &out, Stderr: &out,
	})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("err %v res %+v", err, res)
	}
	got := out.String()
	if !strings.Contains(got, "127.0.0.1 3307 app rehearse") || !strings.Contains(got, "url=mysql://app:*****@127.0.0.1:3307/rehearse") {
		t.Fatalf("output %q", got)
	}
	if strings.Contains(got, "s3cr") || strings.Contains(res.Tail, "s3cr") || !strings.Contains(got, "pw=*****") || !strings.Contains(got, "no newline *****") {
		t.Fatalf("password not redacted: %q / %q", got, res.Tail)
	}
}

func TestRunCommandFailure(t *testing.T) {
	res, err := RunCommand(context.Background(), CommandOptions{Command: "echo boom >&2; exit 3", Dir: t.TempDir()})
	if !errors.Is(err, ErrCommandFailed) || res.ExitCode != 3 || !strings.Contains(res.Tail, "boom") {
		t.Fatalf("err %v res %+v", err, res)
	}
}

// TestRunCommandCancel: ending ctx stops the whole process group (a
// background child included) promptly.
func TestRunCommandCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	const childSleep = 30 * time.Second
	_, err := RunCommand(ctx, CommandOptions{Command: fmt.Sprintf("sleep %d & echo $! > child.pid; wait", int(childSleep.Seconds())), Dir: dir, KillGrace: time.Second})
	// Promptly: the command returned without waiting for its child's sleep.
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) >= childSleep {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	pid, _ := os.ReadFile(dir + "/child.pid")
	p := strings.TrimSpace(string(pid))
	if p == "" {
		t.Fatal("the child never started")
	}
	// Gone, or a zombie waiting for its reaper: either way not running.
	// The SIGKILL is sent; its delivery is waited for, not slept on.
	running := func() bool {
		st, err := os.ReadFile("/proc/" + p + "/stat")
		return err == nil && !strings.Contains(string(st), ") Z ")
	}
	testserver.WaitFor(t, 10*time.Second, "child "+p+" of the cancelled command to stop", func() bool { return !running() })
}

// TestRunCommandAgainstServer: a real client command reaches the sandbox
// through the environment alone.
func TestRunCommandAgainstServer(t *testing.T) {
	client := testserver.Tool(t, "mariadb", "mariadb-client")
	srv := testserver.Start(t, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE cmdtest"); err != nil {
		t.Fatal(err)
	}
	conn := Conn{Host: srv.Host, Port: srv.Port, User: srv.User, Database: "cmdtest"}
	cmd := client + ` --protocol=tcp -h"$MYSQL_HOST" -P"$MYSQL_PORT" -u"$MYSQL_USER" "$MYSQL_DATABASE" -e "CREATE TABLE made_by_cmd (id int)"`
	if res, err := RunCommand(ctx, CommandOptions{Command: cmd, Dir: t.TempDir(), Conn: conn}); err != nil {
		t.Fatalf("%v: %s", err, res.Tail)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='cmdtest' AND TABLE_NAME='made_by_cmd'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("table not created: %d %v", n, err)
	}
}

// TestCommandEnv: the caller's environment is reduced to what a shell
// needs plus the names asked for; the connection variables always point at
// the sandbox, whatever the caller's environment says.
func TestCommandEnv(t *testing.T) {
	environ := []string{"PATH=/usr/bin", "HOME=/home/ci", "LANG=C.UTF-8", "TZ=UTC", "TMPDIR=/tmp/ci",
		"DB_HOST=prod.example", "DB_PASSWORD=prod-pw", "DATABASE_URL=mysql://app:prod-pw@prod.example/app",
		"AWS_SECRET_ACCESS_KEY=aws", "RAILS_ENV=production", "SHELLOPTS=x"}
	got := CommandEnv(environ, []string{"RAILS_ENV"})
	want := []string{"PATH=/usr/bin", "HOME=/home/ci", "LANG=C.UTF-8", "TZ=UTC", "TMPDIR=/tmp/ci", "RAILS_ENV=production"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("CommandEnv = %v, want %v", got, want)
	}
	conn := Conn{Host: "127.0.0.1", Port: 3307, User: "root", Password: "pw", Database: "rehearse_x"}
	env := map[string]string{}
	for _, kv := range conn.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, v := range map[string]string{"DB_HOST": "127.0.0.1", "DB_PORT": "3307", "DB_DATABASE": "rehearse_x", "DB_USERNAME": "root",
		"DB_PASSWORD": "pw", "DATABASE_HOST": "127.0.0.1", "MYSQL_PWD": "pw", "DATABASE_URL": "mysql://root:pw@127.0.0.1:3307/rehearse_x",
		"FLYWAY_URL": "jdbc:mysql://127.0.0.1:3307/rehearse_x"} {
		if env[k] != v {
			t.Errorf("%s=%q, want %q", k, env[k], v)
		}
	}
	if len(env) != len(ConnEnvNames) {
		t.Errorf("Env sets %d variables, ConnEnvNames lists %d", len(env), len(ConnEnvNames))
	}
	for _, bad := range [][]string{{"DB_HOST"}, {"A=B"}, {"1X"}, {""}} {
		if CheckPassEnv(bad) == nil {
			t.Errorf("CheckPassEnv(%q): no error", bad)
		}
	}
	if err := CheckPassEnv([]string{"RAILS_ENV", "SECRET_KEY_BASE"}); err != nil {
		t.Error(err)
	}
}
