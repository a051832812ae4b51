package locks_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/rehearse/load/loadtest"
	"github.com/rehearse/rehearse/rehearse/locks"
)

// Phases of BenchmarkMonitorOverhead: many short pairs, so that the
// machine's drift (other work on the shared cores) hits both sides of a
// pair alike and the median of the pairs' ratios ignores the pairs it hit
// unevenly.
var (
	overheadPhase = 500 * time.Millisecond
	overheadPairs = 30
	cpuPhase      = 2 * time.Second
	cpuPairs      = 8
	cpuLoadRate   = 1000.0 // writes/s of the open-loop load of the CPU part
)

// BenchmarkMonitorOverhead measures what the monitor costs the writers, two
// ways, in the same run on one server:
//
//  1. Throughput: closed-loop writers (as fast as 8 connections go) in
//     adjacent pairs of phases without and with a monitor sampling every
//     10 ms (which comes first alternates). Each pair gives a ratio
//     with/without; the overhead is 1 − the median ratio, with the
//     interquartile range beside it (goal ≤ 5%). On a machine whose cores
//     are shared with other work this figure is noisy: the neighbours'
//     load moves the writers' throughput by tens of percent within a
//     second.
//  2. CPU: an open-loop load (a fixed amount of work per second) in pairs
//     of phases without and with the monitor; the CPU time the server and
//     this process used (/proc, getrusage) differs by what the monitor
//     costs. As a share of the machine's cores it is what the monitor takes
//     from writers that saturate the CPU — the throughput overhead, without
//     the neighbours' noise (CPU time is work done, not share obtained).
//
// Run with -benchtime=1x.
func BenchmarkMonitorOverhead(b *testing.B) {
	srv := testserver.Start(b, testserver.LocalMariaDB())
	db, err := srv.Open("")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	loadtest.MustExec(b, db, "CREATE DATABASE d",
		`CREATE TABLE d.t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(14,2) NOT NULL,
			code VARCHAR(40) NOT NULL, created DATETIME NOT NULL, KEY (created))`,
		"SET GLOBAL innodb_flush_log_at_trx_commit = 2") // measure CPU contention, not the disk's fsync rate
	loadtest.FillRows(b, db, "d", "t", "amount, code, created", "n / 7, CONCAT('c', n), '2020-01-01' + INTERVAL n MINUTE", 50000)
	tb := loadtest.TableFromServer(b, db, "d", "t")
	p, err := load.DefaultProfile([]load.TableLoad{{Schema: "d", Table: tb}}, load.Mix{Insert: 1, Update: 1})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		g, err := load.New(db, p, load.Options{ClosedLoop: true, ConnsPerTable: 8})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := g.Start(ctx); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second) // warm up
		type phase struct {
			from, to time.Time
			monitor  bool
		}
		var phases []phase
		var samples int64
		var sampled time.Duration
		var cost time.Duration
		for k := 0; k < overheadPairs; k++ {
			for _, withMonitor := range []bool{k%2 == 1, k%2 == 0} {
				var m *locks.Monitor
				if withMonitor {
					m = locks.New(db, locks.Options{})
					if err := m.Start(ctx); err != nil {
						b.Fatal(err)
					}
				}
				from := time.Now()
				time.Sleep(overheadPhase)
				to := time.Now()
				if m != nil {
					r := m.Stop()
					samples += r.Samples
					sampled += r.Stopped.Sub(r.Started)
					cost += r.MeanSampleCost
				}
				phases = append(phases, phase{from, to, withMonitor})
			}
		}
		res := g.Stop()
		var ratios, off, on []float64
		for k := 0; k+1 < len(phases); k += 2 {
			var with, without float64
			for _, ph := range phases[k : k+2] {
				tp := res.Window(ph.from, ph.to).Writes.Throughput
				if ph.monitor {
					with = tp
					on = append(on, tp)
				} else {
					without = tp
					off = append(off, tp)
				}
			}
			if without > 0 {
				ratios = append(ratios, with/without)
			}
		}
		cpuMS, cpuSpread := monitorCPU(b, db, p, srv.PID)
		cpuShare := 100 * cpuMS / 1000 / float64(runtime.NumCPU())
		b.ReportMetric(cpuMS, "monitor-cpu-ms/s")
		b.ReportMetric(cpuShare, "monitor-cpu-%-of-cores")
		b.Logf("monitor CPU (server + client): %.1f ms per second of sampling (median of %d pairs of %v phases under %.0f writes/s; interquartile %.1f .. %.1f ms/s) = %.2f%% of %d cores: "+
			"the overhead on writers that saturate the CPU (goal ≤ 5%%)", cpuMS, cpuPairs, cpuPhase, cpuLoadRate, cpuSpread[0], cpuSpread[1], cpuShare, runtime.NumCPU())
		med, q1, q3 := quartiles(ratios)
		overhead := 100 * (1 - med)
		b.ReportMetric(median(off), "writes/s-without")
		b.ReportMetric(median(on), "writes/s-with")
		b.ReportMetric(overhead, "overhead-%")
		b.ReportMetric(100*(1-q3), "overhead-q1-%")
		b.ReportMetric(100*(1-q1), "overhead-q3-%")
		b.ReportMetric(float64(samples)/sampled.Seconds(), "samples/s")
		b.ReportMetric(float64(cost/time.Duration(overheadPairs))/float64(time.Microsecond), "µs/sample")
		b.Logf("writers without monitor %.0f/s, with %.0f/s (medians of %d phases of %v each); overhead %.1f%% "+
			"(median of %d paired ratios; interquartile %.1f%% .. %.1f%%; goal ≤ 5%%); pairs: %s",
			median(off), median(on), len(off), overheadPhase, overhead, len(ratios), 100*(1-q3), 100*(1-q1), percents(ratios))
	}
}

// monitorCPU runs an open-loop load at cpuLoadRate and measures, in pairs
// of phases without and with a monitor, the CPU time used by the server
// (process pid) and by this process. It returns the median difference per
// pair in ms of CPU per second, and its interquartile range.
func monitorCPU(b *testing.B, db *sql.DB, p *load.Profile, pid int) (float64, [2]float64) {
	g, err := load.New(db, p, load.Options{Rate: cpuLoadRate})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := g.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer g.Stop()
	time.Sleep(time.Second)
	var diffs []float64
	for k := 0; k < cpuPairs; k++ {
		var with, without float64
		for _, withMonitor := range []bool{k%2 == 1, k%2 == 0} {
			var m *locks.Monitor
			if withMonitor {
				m = locks.New(db, locks.Options{})
				if err := m.Start(ctx); err != nil {
					b.Fatal(err)
				}
			}
			c0, t0 := cpuTime(b, pid), time.Now()
			time.Sleep(cpuPhase)
			c1, t1 := cpuTime(b, pid), time.Now()
			if m != nil {
				m.Stop()
			}
			perSec := float64(c1-c0) / float64(time.Millisecond) / t1.Sub(t0).Seconds()
			if withMonitor {
				with = perSec
			} else {
				without = perSec
			}
		}
		diffs = append(diffs, with-without)
	}
	med, q1, q3 := quartiles(diffs)
	return med, [2]float64{q1, q3}
}

// cpuTime is the CPU time used so far by process pid (utime + stime from
// /proc, in clock ticks of 10 ms) plus this process (getrusage).
func cpuTime(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		testserver.Missing(b, fmt.Sprintf("server CPU time: %v", err), "run on Linux with the local engine")
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of stat, 12th after the state
	st, _ := strconv.ParseInt(f[12], 10, 64)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return time.Duration(ut+st)*10*time.Millisecond + self
}

func median(v []float64) float64 {
	m, _, _ := quartiles(v)
	return m
}

// quartiles returns the median and the first and third quartiles of v.
func quartiles(v []float64) (med, q1, q3 float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(q float64) float64 {
		x := q * float64(len(s)-1)
		i := int(x)
		if i+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[i] + (x-float64(i))*(s[i+1]-s[i])
	}
	return at(0.5), at(0.25), at(0.75)
}

func percents(ratios []float64) string {
	out := ""
	for i, r := range ratios {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%+.0f", 100*(r-1))
	}
	return out
}
