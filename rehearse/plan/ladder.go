package plan

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// rung is one ALGORITHM/LOCK combination of the probe ladder.
type rung struct{ algo, lock string }

// ladder is the order in which the server is asked: the most capable
// algorithm and the least restrictive lock first, so the first accepted
// rung is what the statement gets.
func ladder(s server) []rung {
	if s.mariadb {
		return []rung{{Instant, ""}, {NoCopy, LockNone}, {NoCopy, LockShared}, {InPlace, LockNone}, {InPlace, LockShared},
			{Copy, LockNone}, {Copy, LockShared}, {Copy, LockExclusive}}
	}
	return []rung{{Instant, ""}, {InPlace, LockNone}, {InPlace, LockShared}, {InPlace, LockExclusive},
		{Copy, LockShared}, {Copy, LockExclusive}}
}

// ladderFor is the ladder for a statement made of ops. MariaDB 10.x
// accepts any ALGORITHM for PARTITION BY / REMOVE PARTITIONING and copies
// the table anyway (10.11.19: ALGORITHM=INSTANT reports every row
// affected; 11.8 rejects it): there the ladder starts at COPY.
func ladderFor(s server, ops []Op) ([]rung, string) {
	l := ladder(s)
	if s.mariadb && !s.atLeast(11, 0, 0) && hasOp(ops, OpPartition) {
		for i, r := range l {
			if r.algo == Copy {
				return l[i:], "MariaDB 10.x accepts any ALGORITHM for partitioning but copies the table: asked from COPY"
			}
		}
	}
	return l, ""
}

func hasOp(ops []Op, class string) bool {
	for _, op := range ops {
		if op.Class == class {
			return true
		}
	}
	return false
}

func (r rung) clause(sep string) string {
	if r.lock == "" {
		return "ALGORITHM=" + r.algo
	}
	return "ALGORITHM=" + r.algo + sep + "LOCK=" + r.lock
}

var (
	ident      = "(?:`(?:[^`]|``)*`|[\\w$]+)"
	alterHead  = regexp.MustCompile(`(?is)^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+` + ident + `(?:\s*\.\s*` + ident + `)?`)
	indexHead  = regexp.MustCompile(`(?is)^\s*(CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX)\b`)
	algoClause = regexp.MustCompile(`(?i)\b(ALGORITHM|LOCK)\s*=?\s*(DEFAULT|INSTANT|INPLACE|NOCOPY|COPY|NONE|SHARED|EXCLUSIVE)\b`)
	commas     = regexp.MustCompile(`,(\s*,)+`)
	// partitionClause starts a partitioning clause, which follows the
	// ALTER's other clauses without a comma.
	partitionClause = regexp.MustCompile(`(?i)^(PARTITION\s+BY|REMOVE\s+PARTITIONING)\b`)
	dropIndex       = regexp.MustCompile(`(?is)^\s*DROP\s+INDEX\s+(IF\s+EXISTS\s+)?(` + ident + `)\s+ON\s+(` + ident + `(?:\s*\.\s*` + ident + `)?)\s*(.*)$`)
)

// withClause rewrites an ALTER TABLE / CREATE INDEX / DROP INDEX to use
// exactly the rung's ALGORITHM and LOCK (the statement's own clauses are
// removed). ok is false for other statements.
func withClause(text string, r rung) (string, bool) {
	text = strings.TrimRight(strings.TrimSpace(text), "; \t\r\n")
	if m := dropIndex.FindStringSubmatch(text); m != nil {
		// MariaDB's DROP INDEX takes no ALGORITHM clause: ask in ALTER form.
		text = "ALTER TABLE " + m[3] + " DROP INDEX " + m[1] + m[2] + " " + m[4]
	}
	if loc := alterHead.FindStringIndex(text); loc != nil {
		rest := algoClause.ReplaceAllString(text[loc[1]:], "")
		rest = strings.TrimSpace(commas.ReplaceAllString(rest, ","))
		rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(rest, ","), ","))
		if rest == "" {
			return "", false
		}
		if partitionClause.MatchString(rest) {
			return text[:loc[1]] + " " + r.clause(", ") + " " + rest, true
		}
		return text[:loc[1]] + " " + r.clause(", ") + ", " + rest, true
	}
	if indexHead.MatchString(text) {
		return strings.TrimSpace(algoClause.ReplaceAllString(text, "")) + " " + r.clause(" "), true
	}
	return "", false
}

// rejected reports a server refusing an ALGORITHM/LOCK combination (as
// opposed to the statement failing for another reason).
func rejected(err error) (uint16, string, bool) {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return 0, "", false
	}
	switch me.Number {
	case 1845, 1846, 1847, 1235, 4092:
		return me.Number, me.Message, true
	}
	if me.Number == 1064 { // a syntax error is the statement's own failure
		return me.Number, me.Message, false
	}
	m := strings.ToUpper(me.Message)
	return me.Number, me.Message, strings.Contains(m, "ALGORITHM=") || strings.Contains(m, "LOCK=")
}

// climb runs text (whose operations are ops) up the ladder on conn: the
// first accepted rung runs the statement for real. err is the statement's
// own failure (not a rejection). A nil Verified: not a statement the
// ladder applies to (it did not run).
func climb(ctx context.Context, conn *sql.Conn, s server, ops []Op, text string) (*Verified, error) {
	rungs, note := ladderFor(s, ops)
	v := &Verified{Note: note}
	for _, r := range rungs {
		q, ok := withClause(text, r)
		if !ok {
			return nil, nil
		}
		_, err := conn.ExecContext(ctx, q)
		if err == nil {
			v.Algorithm, v.Lock = r.algo, r.lock
			if r.algo == Instant {
				v.Lock = LockNone
			}
			v.Attempts = append(v.Attempts, Attempt{Clause: r.clause(", "), Accepted: true})
			return v, nil
		}
		num, msg, rej := rejected(err)
		if num == 1064 && len(v.Attempts) == 0 {
			// The server cannot read the statement with an ALGORITHM
			// clause added (a form this rewrite does not know): run it as
			// written, unverified.
			v.Note = "the server does not accept an ALGORITHM clause in this statement: not verified"
			_, err := conn.ExecContext(ctx, text)
			return v, err
		}
		if !rej {
			return v, err
		}
		v.Attempts = append(v.Attempts, Attempt{Clause: r.clause(", "), Error: int(num), Message: msg})
	}
	v.Note = "the server rejected every ALGORITHM/LOCK combination"
	return v, errors.New(v.Note)
}
