package run

// pt-osc with replicas (--strategy pt-osc --replicas N). pt-osc pauses its
// copy while a replica lags more than --max-lag (1 s by default, read from
// SHOW SLAVE STATUS's Seconds_Behind_Master), and waits while one is
// stopped. It must find the replicas first: its default discovery
// (processlist, then SHOW SLAVE HOSTS) finds a replica by the host of its
// connection on the primary's port, which is not where a sandbox replica
// listens. rehearse hands it the replicas through its DSN table
// (--recursion-method dsn=…): a table on the primary, not replicated, with
// one "h=HOST,P=PORT" row per replica, the address pt-osc reaches it at from
// this host. pt-osc connects to them with the primary's option file; when
// the replicas' root passwords differ from the primary's (the docker engine
// gives every sandbox its own), an account made on the primary and
// replicated to them, with a random password in the option file only, is
// what pt-osc connects as.

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/replica"
)

// ptoscDSNTable is the DSN table pt-osc reads the replicas from.
const ptoscDSNTable = "pt_osc_dsns"

// ptoscUser is the account pt-osc connects as when the replicas' root
// passwords are not the primary's.
const ptoscUser = "rehearse_osc"

// ptoscAccount is who pt-osc connects as: user and password.
type ptoscAccount struct{ user, password string }

// ptoscReplicas prepares pt-osc's view of the replicas, once per
// rehearsal: the DSN table, and the account when needed. It returns the
// --recursion-method value.
func (r *rehearsal) ptoscReplicas(ctx context.Context) (string, error) {
	if r.ptoscRecursion != "" {
		return r.ptoscRecursion, nil
	}
	nodes := r.repl.topo.Replicas
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	db := replica.HeartbeatSchema
	table := mysqlkit.Quote(db) + "." + mysqlkit.Quote(ptoscDSNTable)
	stmts := []string{
		"SET SESSION sql_log_bin = 0", // the replicas need no copy of it
		"CREATE DATABASE IF NOT EXISTS " + mysqlkit.Quote(db),
		"CREATE TABLE IF NOT EXISTS " + table + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, parent_id INT NULL, dsn VARCHAR(255) NOT NULL) ENGINE=InnoDB",
		"DELETE FROM " + table,
	}
	for _, n := range nodes {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %s (dsn) VALUES ('h=%s,P=%d')", table, n.Server.Host, n.Server.Port))
	}
	stmts = append(stmts, "SET SESSION sql_log_bin = 1")
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return "", fmt.Errorf("pt-osc's replica table: %w", err)
		}
	}
	for _, n := range nodes {
		if n.Server.Password() != r.srv.Password() {
			acct, err := r.ptoscReplicatedAccount(ctx, nodes)
			if err != nil {
				return "", err
			}
			r.ptoscAcct = acct
			break
		}
	}
	r.ptoscRecursion = fmt.Sprintf("dsn=D=%s,t=%s", db, ptoscDSNTable)
	return r.ptoscRecursion, nil
}

// ptoscReplicatedAccount makes an account on the primary, with a random
// password, replicated to every replica, and waits until each accepts it.
func (r *rehearsal) ptoscReplicatedAccount(ctx context.Context, nodes []*replica.Node) (*ptoscAccount, error) {
	acct := &ptoscAccount{user: ptoscUser, password: engine.RandomPassword()}
	for _, q := range []string{
		fmt.Sprintf("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'", acct.user, acct.password),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON *.* TO '%s'@'%%' WITH GRANT OPTION", acct.user),
	} {
		if _, err := r.db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("pt-osc's account on the primary: %s", strings.ReplaceAll(err.Error(), acct.password, "***"))
		}
	}
	deadline := time.Now().Add(replica.WireTimeout)
	for _, n := range nodes {
		for {
			err := pingAs(ctx, n.Server, acct)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("pt-osc's account did not reach %s after %s: %s", n.Name, replica.WireTimeout, strings.ReplaceAll(err.Error(), acct.password, "***"))
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return acct, nil
}

func pingAs(ctx context.Context, srv *engine.Server, acct *ptoscAccount) error {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = acct.user, acct.password, "tcp", srv.Host+":"+strconv.Itoa(srv.Port)
	cfg.Timeout = 2 * time.Second
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	return db.PingContext(ctx)
}

var (
	ptoscLagRE     = regexp.MustCompile(`Replica lag is (\S+) seconds on (\S+?)\.\s+Waiting`)
	ptoscStoppedRE = regexp.MustCompile(`Replica '([^']+)' is stopped\.\s+Waiting`)
	ptoscFoundRE   = regexp.MustCompile(`^Found (\d+) slaves?`)
)

// observe reads one line of pt-osc's output for what it did about the
// replicas.
func (tr *toolRun) observe(line string) {
	if tr.replicas == 0 {
		return
	}
	if m := ptoscLagRE.FindStringSubmatch(line); m != nil {
		tr.lagReports++
		tr.lastLag = m[1] + " s on " + m[2]
	} else if ptoscStoppedRE.MatchString(line) {
		tr.stoppedReports++
	} else if m := ptoscFoundRE.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
		tr.found, _ = strconv.Atoi(m[1])
	}
}

// replicaNotes says what pt-osc did about the replicas: how many it
// watched of those it was given, and its pauses (one report a second with
// --progress time,1) for a lagging or a stopped replica; when it failed
// reading their lag, why.
func (tr *toolRun) replicaNotes(ok bool, lines []string) []string {
	notes := []string{fmt.Sprintf("pt-osc found %d of the rehearsal's %d replica(s) (--recursion-method dsn) and pauses its copy while one lags more than --max-lag (1 s unless --pt-osc-arg sets it; read from Seconds_Behind_Master, whole seconds) or is stopped", tr.found, tr.replicas)}
	if !ok {
		for _, l := range lines {
			if strings.Contains(l, "SHOW SLAVE STATUS") && strings.Contains(l, "syntax") {
				return append(notes, "pt-osc 3.2.1 cannot read a replica's lag on this server: it asks SHOW SLAVE STATUS, which MySQL 8.4 and newer removed (SHOW REPLICA STATUS replaced it), and stops; rehearse it without replicas (--replicas 0) or with a pt-osc that knows SHOW REPLICA STATUS")
			}
		}
		return notes
	}
	if tr.lagReports == 0 && tr.stoppedReports == 0 {
		return append(notes, "pt-osc did not pause for the replicas (it reported no lag past --max-lag and no stopped replica)")
	}
	n := fmt.Sprintf("pt-osc paused its copy for the replicas: %d report(s) of a lagging replica", tr.lagReports)
	if tr.lastLag != "" {
		n += " (last: " + tr.lastLag + ")"
	}
	if tr.stoppedReports > 0 {
		n += fmt.Sprintf(", %d of a stopped one", tr.stoppedReports)
	}
	return append(notes, n+"; a report is about a second of waiting (--progress time,1)")
}
