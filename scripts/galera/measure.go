//go:build ignore

// go run scripts/galera/measure.go [ROWS] (after scripts/galera/start.sh).
// A by-hand measurement on a 3-node Galera cluster (MariaDB 10.11 + galera-4):
// writers on every node insert into their own table every 10 ms; on node 1 a
// table-copying ALTER of another table runs under TOI, then under RSU.
// Printed per node: the longest single write and the writes that took over
// 100 ms while the ALTER ran.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func open(i int) *sql.DB {
	db, err := sql.Open("mysql", fmt.Sprintf("root@unix(/tmp/g14/n%d.sock)/", i))
	if err != nil {
		panic(err)
	}
	return db
}

func must(db *sql.DB, q ...string) {
	for _, s := range q {
		if _, err := db.Exec(s); err != nil {
			fmt.Fprintln(os.Stderr, s, err)
			os.Exit(1)
		}
	}
}

type w struct {
	mu   sync.Mutex
	lat  []time.Duration
	at   []time.Time
	errs int
}

func main() {
	rows := 300000
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &rows)
	}
	dbs := []*sql.DB{open(1), open(2), open(3)}
	must(dbs[0], "DROP DATABASE IF EXISTS g", "CREATE DATABASE g",
		"CREATE TABLE g.big (id int PRIMARY KEY AUTO_INCREMENT, name varchar(64), qty int)",
		"CREATE TABLE g.w1 (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6))",
		"CREATE TABLE g.w2 (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6))",
		"CREATE TABLE g.w3 (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6))",
		"INSERT INTO g.big (name, qty) SELECT CONCAT('n', seq), seq % 97 FROM g.seq_1_to_"+fmt.Sprint(rows))
	drain := func() {
		for k := 0; k < 600; k++ {
			busy := false
			for _, db := range dbs {
				var name string
				var q int
				db.QueryRow("SHOW STATUS LIKE 'wsrep_local_recv_queue'").Scan(&name, &q)
				busy = busy || q > 0
			}
			if !busy {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	drain()
	for _, method := range []string{"TOI", "RSU"} {
		drain()
		ctx, cancel := context.WithCancel(context.Background())
		ws := make([]*w, 3)
		var wg sync.WaitGroup
		for i := range dbs {
			ws[i] = &w{}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for ctx.Err() == nil {
					t := time.Now()
					_, err := dbs[i].ExecContext(ctx, fmt.Sprintf("INSERT INTO g.w%d (at) VALUES (NOW(6))", i+1))
					d := time.Since(t)
					ws[i].mu.Lock()
					if err != nil && ctx.Err() == nil {
						ws[i].errs++
						fmt.Fprintf(os.Stderr, "node %d: %v\n", i+1, err)
					} else if err != nil {
					} else {
						ws[i].lat, ws[i].at = append(ws[i].lat, d), append(ws[i].at, t)
					}
					ws[i].mu.Unlock()
					time.Sleep(10 * time.Millisecond)
				}
			}(i)
		}
		time.Sleep(2 * time.Second)
		drain()
		conn, _ := dbs[0].Conn(context.Background())
		must1 := func(q string) {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				fmt.Fprintln(os.Stderr, q, err)
				os.Exit(1)
			}
		}
		must1("SET SESSION wsrep_OSU_method = '" + method + "'")
		col := "c_" + method
		start := time.Now()
		must1("ALTER TABLE g.big ADD COLUMN " + col + " int, ALGORITHM=COPY")
		end := time.Now()
		conn.Close()
		time.Sleep(2 * time.Second)
		cancel()
		wg.Wait()
		fmt.Printf("%s: ALTER ... ALGORITHM=COPY of %d rows on node 1: %s\n", method, rows, end.Sub(start).Round(time.Millisecond))
		for i, x := range ws {
			var longest, before time.Duration
			slow := 0
			for k, d := range x.lat {
				if x.at[k].Before(start) {
					if x.at[k].Before(start.Add(-time.Second)) {
						continue
					}
					before = max(before, d)
					continue
				}
				if x.at[k].After(end) {
					continue
				}
				longest = max(longest, d)
				if d > 100*time.Millisecond {
					slow++
				}
			}
			fmt.Printf("  node %d writer: longest write during the ALTER %s (in the second before it: %s), %d writes over 100 ms, %d errors\n",
				i+1, longest.Round(time.Millisecond), before.Round(time.Millisecond), slow, x.errs)
		}
	}
	if len(os.Args) > 2 {
		return
	}
	// RSU leaves the column on node 1 only: report each node's columns.
	for i, db := range dbs {
		var n int
		db.QueryRow("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='g' AND TABLE_NAME='big'").Scan(&n)
		fmt.Printf("  node %d: g.big has %d columns\n", i+1, n)
	}
}
