package evidence

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	innoHeaderRe = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\d{6} [ \d]\d:\d\d:\d\d) (?:0x[0-9a-fA-F]+|\d+) INNODB MONITOR OUTPUT`)
	trxRe        = regexp.MustCompile(`^---TRANSACTION (\(0x[0-9a-fA-F]+\)|[0-9A-Fa-f]+(?: [0-9A-Fa-f]+)?), (.*)$`)
	activeRe     = regexp.MustCompile(`^ACTIVE(?: \(PREPARED\))? (\d+) sec(?: (.*))?$`)
	tablesUseRe  = regexp.MustCompile(`^mysql tables in use (\d+), locked (\d+)`)
	lockStructRe = regexp.MustCompile(`^(LOCK WAIT )?(\d+) lock struct\(s\), heap size \d+, (\d+) row lock\(s\)(?:, undo log entries (\d+))?`)
	threadRe     = regexp.MustCompile(`^(?:MySQL|MariaDB) thread id (\d+), OS thread handle \S+, query id \d+(.*)$`)
	waitingRe    = regexp.MustCompile(`^------- TRX HAS BEEN WAITING (\d+)(?: SEC| us)? FOR THIS LOCK TO BE GRANTED`)
	tableLockRe  = regexp.MustCompile("^TABLE LOCK table `((?:[^`]|``)+)`\\.`((?:[^`]|``)+)` trx id \\S+ lock mode (\\S+)( waiting)?")
	recordLockRe = regexp.MustCompile("^RECORD LOCKS space id \\d+ page no \\d+ n bits \\d+ index (?:`[^`]*`|\\S+) of table `((?:[^`]|``)+)`\\.`((?:[^`]|``)+)` trx id \\S+ (lock[_ ]mode .*?)( waiting)?\\s*$")
)

// innodb reads SHOW ENGINE INNODB STATUS output: its header time and the
// TRANSACTIONS section (every transaction: id, age, the processlist id of
// its thread, its statement, the locks it lists). The output may be the
// client's \G form (pt-stalk's innodbstatus1), its batch form (newlines
// written as \n) or the bare text; several statuses in one file are read
// one by one. A status without its END line was cut (InnoDB stops at
// 1 MB): a Problem, and what was read is used.
func (r *reader) innodb(name, text string) {
	if !strings.Contains(text, "\nTRANSACTIONS\n") && strings.Contains(text, `\nTRANSACTIONS\n`) {
		text = unescapeBatch(text)
	}
	lines := strings.Split(text, "\n")
	var cur *InnoDBStatus
	inTrx := false
	var trx *Transaction
	var waitNext bool
	queryMode := false
	finish := func() {
		if cur == nil {
			return
		}
		if trx != nil {
			cur.Transactions = append(cur.Transactions, *trx)
			trx = nil
		}
		r.ev.InnoDB = append(r.ev.InnoDB, *cur)
		cur = nil
	}
	ended := true
	for i, raw := range lines {
		ln := i + 1
		l := strings.TrimRight(raw, " ")
		if m := innoHeaderRe.FindStringSubmatch(l); m != nil {
			if cur != nil && !ended {
				r.problem(name, cur.Line, "this InnoDB status has no END OF INNODB MONITOR OUTPUT line: it was cut; its %d transactions read are used", len(cur.Transactions)+boolInt(trx != nil))
			}
			finish()
			cur = &InnoDBStatus{File: name, Line: ln}
			ended = false
			if t, err := time.ParseInLocation("2006-01-02 15:04:05", m[1], r.ev.Zone); err == nil {
				cur.At = t
			} else if t, err := time.ParseInLocation("060102 15:04:05", strings.Replace(m[1], "  ", " 0", 1), r.ev.Zone); err == nil {
				cur.At = t
			}
			inTrx = false
			continue
		}
		if cur == nil {
			continue
		}
		if strings.Contains(l, "END OF INNODB MONITOR OUTPUT") {
			ended = true
			if trx != nil {
				cur.Transactions = append(cur.Transactions, *trx)
				trx = nil
			}
			inTrx = false
			continue
		}
		if l == "TRANSACTIONS" {
			inTrx = true
			continue
		}
		if !inTrx {
			continue
		}
		// The section ends at the next "--------" + title.
		if strings.HasPrefix(l, "--------") && i+1 < len(lines) && isSectionTitle(lines[i+1]) {
			if trx != nil {
				cur.Transactions = append(cur.Transactions, *trx)
				trx = nil
			}
			inTrx = false
			continue
		}
		if m := trxRe.FindStringSubmatch(l); m != nil {
			if trx != nil {
				cur.Transactions = append(cur.Transactions, *trx)
			}
			trx = &Transaction{ID: strings.Trim(m[1], "()"), Line: ln}
			queryMode, waitNext = false, false
			switch st := m[2]; {
			case strings.HasPrefix(st, "not started"):
			default:
				if a := activeRe.FindStringSubmatch(st); a != nil {
					trx.Started = true
					trx.Active, _ = strconv.ParseFloat(a[1], 64)
					trx.State = a[2]
				} else {
					trx.Started = true
					trx.State = st
					r.problem(name, ln, "transaction %s: state %q without its age", trx.ID, st)
				}
			}
			continue
		}
		if trx == nil {
			continue
		}
		switch {
		case tablesUseRe.MatchString(l):
			m := tablesUseRe.FindStringSubmatch(l)
			trx.TablesInUse, _ = strconv.Atoi(m[1])
			trx.TablesLocked, _ = strconv.Atoi(m[2])
			queryMode = false
		case lockStructRe.MatchString(l):
			m := lockStructRe.FindStringSubmatch(l)
			trx.Waiting = trx.Waiting || m[1] != ""
			trx.RowLocks, _ = strconv.ParseInt(m[3], 10, 64)
			if m[4] != "" {
				trx.Undo, _ = strconv.ParseInt(m[4], 10, 64)
			}
			queryMode = false
		case threadRe.MatchString(l):
			m := threadRe.FindStringSubmatch(l)
			trx.ThreadID, _ = strconv.ParseInt(m[1], 10, 64)
			trx.State = threadState(m[2])
			queryMode = true
		case waitingRe.MatchString(l):
			m := waitingRe.FindStringSubmatch(l)
			trx.Waiting = true
			trx.WaitSec, _ = strconv.ParseFloat(m[1], 64)
			waitNext = true
			queryMode = false
		case tableLockRe.MatchString(l):
			m := tableLockRe.FindStringSubmatch(l)
			trx.Locks = append(trx.Locks, Lock{Schema: unquote(m[1]), Table: unquote(m[2]), Mode: m[3], Waiting: m[4] != "" || waitNext, Line: ln})
			waitNext, queryMode = false, false
		case recordLockRe.MatchString(l):
			m := recordLockRe.FindStringSubmatch(l)
			mode := strings.TrimPrefix(strings.TrimPrefix(m[3], "lock_mode "), "lock mode ")
			trx.Locks = append(trx.Locks, Lock{Schema: unquote(m[1]), Table: unquote(m[2]), Mode: mode, Record: true, Waiting: m[4] != "" || waitNext, Line: ln})
			waitNext, queryMode = false, false
		case strings.HasPrefix(l, "Trx read view") || strings.HasPrefix(l, "Record lock,") || strings.HasPrefix(l, " ") ||
			strings.HasPrefix(l, "------------------") || strings.HasPrefix(l, "Trx #rec") || l == "":
			queryMode = false
		case queryMode:
			if trx.Query != "" {
				trx.Query += "\n"
			}
			trx.Query += l
		}
	}
	if cur != nil {
		if !ended {
			r.problem(name, cur.Line, "this InnoDB status has no END OF INNODB MONITOR OUTPUT line: it was cut; its %d transactions read are used", len(cur.Transactions)+boolInt(trx != nil))
		}
		finish()
	}
}

// threadState is the state at the end of a thread id line
// (", query id 19 127.0.0.1 root User sleep" → "User sleep").
func threadState(rest string) string {
	f := strings.Fields(rest)
	if len(f) <= 2 {
		return ""
	}
	return strings.Join(f[2:], " ")
}

func isSectionTitle(l string) bool {
	l = strings.TrimSpace(l)
	return l != "" && strings.ToUpper(l) == l && !strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "TABLE LOCK") && !strings.HasPrefix(l, "RECORD LOCKS")
}

func unquote(s string) string { return strings.ReplaceAll(s, "``", "`") }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
