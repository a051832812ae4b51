//go:build ignore

// go run scripts/galera/waits.go [ROWS] (after scripts/galera/start.sh).
// By hand, on scripts/galera/start.sh's cluster: what a writer of a table
// the DDL does not touch waits for under TOI, in the server's words.
// Writers on every node insert into their own table every 10 ms; node 1
// copies g.big (ALTER ... ALGORITHM=COPY, TOI); node 1's and node 2's
// PROCESSLIST are sampled every 20 ms for the writers' states. Then the
// server's own account of each writer's latency: the gaps between
// consecutive rows' NOW(6) (statement start on the server).
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func open(i int) *sql.DB {
	db, err := sql.Open("mysql", fmt.Sprintf("root@unix(/tmp/g14/n%d.sock)/?parseTime=true", i))
	if err != nil {
		panic(err)
	}
	return db
}

func main() {
	rows := 300000
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &rows)
	}
	dbs := []*sql.DB{open(1), open(2), open(3)}
	for _, q := range []string{"DROP DATABASE IF EXISTS g", "CREATE DATABASE g",
		"CREATE TABLE g.big (id int PRIMARY KEY AUTO_INCREMENT, name varchar(64), qty int)",
		"CREATE TABLE g.w1 (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6))",
		"CREATE TABLE g.w2 (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6))",
		"CREATE TABLE g.w3 (id bigint PRIMARY KEY AUTO_INCREMENT, at datetime(6))",
		"INSERT INTO g.big (name, qty) SELECT CONCAT('n', seq), seq % 97 FROM g.seq_1_to_" + fmt.Sprint(rows)} {
		if _, err := dbs[0].Exec(q); err != nil {
			panic(err)
		}
	}
	time.Sleep(3 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	lat := make([]time.Duration, 3)
	for i := range dbs {
		dbs[i].SetMaxOpenConns(4)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t := time.Now()
				if _, err := dbs[i].ExecContext(ctx, fmt.Sprintf("INSERT INTO g.w%d (at) VALUES (NOW(6))", i+1)); err == nil {
					lat[i] = max(lat[i], time.Since(t))
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	states := map[string]int{}
	var smu sync.Mutex
	for _, n := range []int{0, 1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				rs, err := dbs[n].QueryContext(ctx, "SELECT STATE, TIME_MS, INFO FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO g.w%' AND TIME_MS > 100")
				if err == nil {
					for rs.Next() {
						var st, info sql.NullString
						var ms float64
						rs.Scan(&st, &ms, &info)
						smu.Lock()
						states[fmt.Sprintf("node %d: %q", n+1, st.String)]++
						smu.Unlock()
					}
					rs.Close()
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(2 * time.Second)
	for i := range lat {
		lat[i] = 0
	}
	start := time.Now()
	if _, err := dbs[0].Exec("ALTER TABLE g.big ADD COLUMN c int, ALGORITHM=COPY"); err != nil {
		panic(err)
	}
	end := time.Now()
	time.Sleep(2 * time.Second)
	cancel()
	wg.Wait()
	fmt.Printf("TOI: ALTER ... ALGORITHM=COPY of %d rows on node 1: %s\n", rows, end.Sub(start).Round(time.Millisecond))
	for i := range dbs {
		var gap float64
		// The server's clock: the longest gap between consecutive inserts'
		// NOW(6) on this node (a write's latency plus the 10 ms pause).
		dbs[i].QueryRow(fmt.Sprintf("SELECT MAX(TIMESTAMPDIFF(MICROSECOND, p, at))/1e6 FROM (SELECT at, LAG(at) OVER (ORDER BY id) p FROM g.w%d) x", i+1)).Scan(&gap)
		fmt.Printf("  node %d: client's longest write %s; server's longest gap between inserts %.3f s\n", i+1, lat[i].Round(time.Millisecond), gap)
	}
	var ks []string
	for k := range states {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Printf("  writer over 100 ms seen in state %s: %d samples\n", k, states[k])
	}
}
