package engine_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/engine/enginetest"
)

const secret = "Pa55-w0rd-never-shown"

// sandboxWithUser starts a sandbox and creates a user with a password on
// it, returning the sandbox and a DSN for that user.
func sandboxWithUser(t *testing.T) (*engine.Server, string) {
	t.Helper()
	s := testserver.Start(t, testserver.LocalMariaDB())
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE USER 'rehearser'@'127.0.0.1' IDENTIFIED BY '" + secret + "'",
		"GRANT ALL PRIVILEGES ON *.* TO 'rehearser'@'127.0.0.1'",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return s, fmt.Sprintf("rehearser:%s@tcp(127.0.0.1:%d)/", secret, s.Port)
}

// TestDSN runs the dsn engine against one local sandbox holding a user
// with a password.
func TestDSN(t *testing.T) {
	s, dsn := sandboxWithUser(t)
	t.Run("conformance", func(t *testing.T) { testDSNConformance(t, dsn) })
	t.Run("refuses production", func(t *testing.T) { testDSNRefusesProduction(t, s, dsn) })
	t.Run("bad input", func(t *testing.T) { testDSNBadInput(t, s, dsn) })
	t.Run("settings", func(t *testing.T) { testDSNSettings(t, s, dsn) })
}

func testDSNConformance(t *testing.T, dsn string) {
	eng := &engine.DSN{}
	t.Run("drop", func(t *testing.T) {
		enginetest.Run(t, eng, engine.Options{DSN: dsn}, func(t *testing.T, s *engine.Server) {
			for _, d := range []string{s.DisplayDSN(), s.String(), fmt.Sprintf("%v %+v", s, s)} {
				if strings.Contains(d, secret) {
					t.Errorf("password shown in %q", d)
				}
			}
			if !strings.Contains(s.DSN(), secret) || !strings.HasPrefix(s.Database, "rehearse_") {
				t.Errorf("DSN() must carry the password and the scratch database: %q", s.Database)
			}
		})
	})
	t.Run("keep", func(t *testing.T) {
		var kept *engine.Server
		enginetest.Run(t, eng, engine.Options{DSN: dsn, Keep: true}, func(t *testing.T, s *engine.Server) { kept = s })
		if kept != nil {
			db, _ := kept.Open("")
			defer db.Close()
			if _, err := db.Exec("DROP DATABASE " + kept.Database); err != nil {
				t.Errorf("drop the kept database: %v", err)
			}
		}
	})
	t.Run("url", func(t *testing.T) {
		host, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.SplitN(dsn, "tcp(", 2)[1], ")/"))
		enginetest.Run(t, eng, engine.Options{DSN: fmt.Sprintf("mysql://rehearser:%s@%s:%s/", secret, host, port)})
	})
}

func testDSNRefusesProduction(t *testing.T, s *engine.Server, dsn string) {
	refused := errors.New("the snapshot's source server (production)")
	_, err := (&engine.DSN{}).Start(context.Background(), engine.Options{DSN: dsn, Guard: func(context.Context, *sql.DB) error { return refused }})
	if !errors.Is(err, refused) {
		t.Fatalf("err = %v, want a refusal naming production", err)
	}
	assertNoSecret(t, err)
	assertNoScratch(t, s)
}

func testDSNBadInput(t *testing.T, s *engine.Server, dsn string) {
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close() // nothing listens there now

	silent, _ := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	defer func(d time.Duration) { engine.DSNTimeout = d }(engine.DSNTimeout)
	engine.DSNTimeout = 2 * time.Second

	wrongPassword := strings.Replace(dsn, secret, secret+"x", 1)
	cases := []struct {
		name, dsn, want string
	}{
		{"refused", "rehearser:" + secret + "@tcp(" + deadAddr + ")/", deadAddr},
		{"silent", "rehearser:" + secret + "@tcp(" + silent.Addr().String() + ")/", silent.Addr().String()},
		{"wrong password", wrongPassword, fmt.Sprintf("127.0.0.1:%d", s.Port)},
		{"unparsable", "rehearser:" + secret + "@tcp(127.0.0.1", "cannot read the DSN"},
		{"empty", "", "no server given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := (&engine.DSN{}).Start(context.Background(), engine.Options{DSN: c.dsn})
			if err == nil {
				t.Fatal("started")
			}
			if d := time.Since(start); d > engine.DSNTimeout+time.Second {
				t.Errorf("took %s, want within %s", d, engine.DSNTimeout)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to name %q", err, c.want)
			}
			if rehearse.Hint(err) == "" {
				t.Errorf("no hint for %v", err)
			}
			assertNoSecret(t, err)
		})
	}
	assertNoScratch(t, s)
}

func testDSNSettings(t *testing.T, s *engine.Server, dsn string) {
	var log bytes.Buffer
	srv, err := (&engine.DSN{}).Start(context.Background(), engine.Options{DSN: dsn, Log: &log, Settings: map[string]string{
		"sql_mode":                         "ANSI_QUOTES,STRICT_ALL_TABLES",
		"innodb_online_alter_log_max_size": "999999488", // global only: reported, not changed
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	db, _ := srv.Open(srv.Database)
	defer db.Close()
	var mode string
	if err := db.QueryRow("SELECT @@SESSION.sql_mode").Scan(&mode); err != nil || mode != "ANSI_QUOTES,STRICT_ALL_TABLES" {
		t.Errorf("session sql_mode = %q (%v)", mode, err)
	}
	if !strings.Contains(log.String(), "innodb_online_alter_log_max_size is a global variable") {
		t.Errorf("no warning about the global-only setting:\n%s", log.String())
	}
	srv.Stop(context.Background())

	_, err = (&engine.DSN{}).Start(context.Background(), engine.Options{DSN: dsn, Settings: map[string]string{"no_such_variable": "1"}})
	if err == nil || !strings.Contains(err.Error(), "no_such_variable") {
		t.Errorf("unknown variable: err = %v", err)
	}
	assertNoScratch(t, s)
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), secret) || strings.Contains(rehearse.Hint(err), secret) {
		t.Errorf("password in the error: %v", err)
	}
}

// assertNoScratch fails when a rehearse_* database is left on s.
func assertNoScratch(t *testing.T, s *engine.Server) {
	t.Helper()
	db, err := s.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rehearse\\_%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d scratch databases left (%v)", n, err)
	}
}
