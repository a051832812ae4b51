package plan

import (
	"strconv"
	"strings"
)

// server is a flavor and an exact version, for version-dependent rules.
type server struct {
	mariadb bool
	v       [3]int
}

func parseServer(flavor, version string) server {
	s := server{mariadb: strings.EqualFold(flavor, "mariadb") || strings.Contains(strings.ToLower(version), "mariadb")}
	for i, p := range strings.SplitN(strings.SplitN(version, "-", 2)[0], ".", 3) {
		s.v[i], _ = strconv.Atoi(p)
	}
	return s
}

func (s server) atLeast(a, b, c int) bool {
	w := [3]int{a, b, c}
	for i := range 3 {
		if s.v[i] != w[i] {
			return s.v[i] > w[i]
		}
	}
	return true
}

// onlineCopy: MariaDB 11.2+ runs ALGORITHM=COPY with LOCK=NONE through its
// online change buffer.
func (s server) onlineCopy() bool { return s.mariadb && s.atLeast(11, 2, 0) }

var algoRank = map[string]int{Copy: 0, InPlace: 1, NoCopy: 2, Instant: 3}
var lockRank = map[string]int{LockNone: 0, LockShared: 1, LockExclusive: 2}

// combine is what one ALTER with several operations gets: the least capable
// algorithm and the strictest lock any of them needs.
func combine(a, b Algo) Algo {
	out := a
	if algoRank[b.Algorithm] < algoRank[a.Algorithm] {
		out.Algorithm = b.Algorithm
	}
	if lockRank[b.Lock] > lockRank[a.Lock] {
		out.Lock = b.Lock
	}
	out.Rebuild = a.Rebuild || b.Rebuild
	if b.Reason != "" && b.Reason != a.Reason {
		if out.Reason != "" {
			out.Reason += "; "
		}
		out.Reason += b.Reason
	}
	return out
}

// predict is the rule table's answer for an ALTER (or CREATE/DROP INDEX)
// made of ops on table tm (nil when unknown). ok is false for statements
// the table does not cover (CREATE TABLE, DML, ...).
func predict(s server, ops []Op, tm *tableModel) (Algo, bool) {
	var out Algo
	first := true
	t := facts(tm)
	var instantCols []Op // ADD/DROP COLUMN predicted INSTANT
	for _, op := range ops {
		a, ok := predictOp(s, op, t)
		if !ok {
			continue
		}
		if a.Algorithm == Instant && (op.Class == OpAddColumn || op.Class == OpDropColumn) {
			instantCols = append(instantCols, op)
		}
		if first {
			out, first = a, false
			continue
		}
		out = combine(out, a)
	}
	if !first && out.Algorithm != Instant && len(instantCols) > 0 {
		// ADD or DROP COLUMN is INSTANT only when the whole ALTER is: next
		// to an operation that is not (ADD INDEX), the table is rebuilt
		// (MariaDB 10.11 and 11.8 refuse NOCOPY and accept INPLACE;
		// fixtures 0128, 0129).
		out = combine(out, inplace(s, LockNone, true, "ADD/DROP COLUMN next to an operation that is not INSTANT rebuilds the table"))
	}
	if !first && t.fts && out.Rebuild && out.Algorithm == InPlace {
		// Rebuilding a table with a FULLTEXT index rebuilds the index too.
		switch {
		case s.mariadb && t.ftsMany:
			out = tableCopy(s, out.Reason+"; InnoDB rebuilds one FULLTEXT index at a time in place, and this table has several: table copy")
		case s.mariadb:
			if lockRank[out.Lock] < lockRank[LockShared] {
				out.Lock = LockShared
				out.Reason += "; a FULLTEXT index makes the rebuild block writes"
			}
		default:
			out = tableCopy(s, out.Reason+"; InnoDB cannot rebuild a table with a FULLTEXT index in place: table copy")
		}
	}
	return out, !first
}

// tableFacts are what the rule table needs to know about the table.
type tableFacts struct {
	fts       bool // has a FULLTEXT index (and the hidden FTS_DOC_ID column)
	ftsMany   bool // has more than one
	redundant bool // ROW_FORMAT=REDUNDANT
}

func facts(tm *tableModel) tableFacts {
	if tm == nil {
		return tableFacts{}
	}
	return tableFacts{fts: tm.HasFulltext, ftsMany: tm.Fulltexts > 1, redundant: tm.RowFormat == "REDUNDANT"}
}

func instant(reason string) Algo { return Algo{Algorithm: Instant, Lock: LockNone, Reason: reason} }

func inplace(s server, lock string, rebuild bool, reason string) Algo {
	a := Algo{Algorithm: InPlace, Lock: lock, Rebuild: rebuild, Reason: reason}
	if s.mariadb && !rebuild {
		a.Algorithm = NoCopy // MariaDB names in-place without a rebuild NOCOPY
	}
	return a
}

func tableCopy(s server, reason string) Algo {
	lock := LockShared
	if s.onlineCopy() {
		lock = LockNone
		reason += " (MariaDB 11.2+: online COPY, LOCK=NONE)"
	}
	return Algo{Algorithm: Copy, Lock: lock, Rebuild: true, Reason: reason}
}

func predictOp(s server, op Op, t tableFacts) (Algo, bool) {
	if s.mariadb {
		return predictMariaDB(s, op, t)
	}
	return predictMySQL(s, op, t)
}
