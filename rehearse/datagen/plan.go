package datagen

import (
	"fmt"
	"math"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// role is how a column's key k is chosen for a row.
type role int

const (
	rolePlain  role = iota // k from a permutation of rows, repeats allowed
	roleSeq                // k = row index (single-column primary key: ascending)
	roleUnique             // k distinct per row (single-column unique key)
	roleDigit              // one digit of a composite unique key's tuple
	roleFK                 // value copied from a parent row (foreign key)
	roleSkip               // not loaded: generated column or unknown type
)

// colPlan is how one column is generated.
type colPlan struct {
	col    *snapshot.Column
	t      colType
	h      *hint
	tg     target
	role   role
	d      uint64     // keys asked for
	dom    domain     // the values of keys [0, d) (memoised when small)
	raw    domain     // dom before memoisation (extended past d for new rows)
	tuple  *tuplePlan // roleDigit
	digit  int
	fk     *fkPlan // roleFK, or roleDigit of an FK digit
	ref    int     // position in fk.refCols
	prefix int64   // shortest unique index prefix on this column (0: none)
	seed   uint64
	expr   string // LOAD DATA SET expression with ? for the value ("" = direct)
	note   string // why skipped
	// From CHECK constraints: allowed values, string length bounds.
	inList         []string
	minLen, maxLen int64
	lits           []litBlock // rows holding the release's literals (literals.go)
}

// tuplePlan generates a composite unique key: row -> tuple index q ->
// mixed-radix digits. A primary key spreads q over the product P of the
// digit sizes, in key order, so that rows ascend. Any other key takes
// q = the row's permuted position, the largest digit least significant, and
// shifts each further digit by the value of the digits below it (a
// bijection of the tuples): every digit then takes min(size, rows)
// distinct values, as its statistics say, and the tuple stays unique.
type tuplePlan struct {
	key       string
	sizes     []uint64
	order     []int     // non-monotonic: digits from least significant (largest size first)
	fks       []*fkPlan // per digit: nil for a plain column digit
	cols      [][]int   // per digit: the table columns it feeds
	product   uint64
	monotonic bool
	seed      uint64
}

// fkPlan generates the columns of one foreign key from parent rows.
type fkPlan struct {
	fk       *snapshot.ForeignKey
	child    []int // column indices in the child
	parent   *tablePlan
	refCols  []int // parent column indices (tablePlan) or positions (ext)
	ext      *extParent
	np       uint64 // parent rows
	nullFrac float64
	d        uint64
	unique   bool // one child row per parent row at most
	seq      bool // child row i takes parent row i (primary key = foreign key)
	inTuple  bool
	seed     uint64
	groups   []fkGroup // parent rows per share of children (literals.go)
}

// tablePlan is how one table is generated.
type tablePlan struct {
	schema, name string
	db           string // server database
	tbl          *snapshot.Table
	rows         uint64
	requested    uint64
	srcRows      int64
	cols         []*colPlan
	tuples       []*tuplePlan
	fks          []*fkPlan
	seed         uint64
	uniqueRisk   []string // unique keys not guaranteed by construction
	checkRisk    []string // CHECK constraints not modelled
	notes        []string
	missingStats int // columns without statistics (defaults used)
	checksNoted  bool
}

func (p *tablePlan) qname() string { return p.schema + "." + p.name }

func (p *tablePlan) notef(format string, args ...any) {
	p.notes = append(p.notes, p.qname()+": "+fmt.Sprintf(format, args...))
}

func (p *tablePlan) colIndex(name string) int {
	for i, c := range p.cols {
		if strings.EqualFold(c.col.Name, name) {
			return i
		}
	}
	return -1
}

// newTablePlan parses columns and sets the row count; keys, foreign keys and
// domains come later (they need every table's row count).
func newTablePlan(s *snapshot.Schema, tbl *snapshot.Table, db string, rows, srcRows int64, seed uint64) *tablePlan {
	p := &tablePlan{schema: s.Name, name: tbl.Name, db: db, tbl: tbl, srcRows: srcRows,
		seed: seedOf(seed, s.Name, tbl.Name)}
	if rows < 0 {
		rows = 0
	}
	p.rows, p.requested = uint64(rows), uint64(rows)
	jsonChecked := jsonCheckedColumns(tbl)
	for i := range tbl.Columns {
		c := &tbl.Columns[i]
		cp := &colPlan{col: c, t: parseColType(c, tbl.CreateSQL), seed: seedOf(p.seed, c.Name)}
		if jsonChecked[strings.ToLower(c.Name)] && cp.t.kind == kChar {
			cp.t.kind = kJSON // MariaDB's JSON is LONGTEXT CHECK (json_valid(col))
		}
		cp.h = hintFor(c.Name, cp.t)
		switch {
		case c.Generated != "" || strings.Contains(strings.ToUpper(c.Extra), "GENERATED") && !strings.Contains(strings.ToUpper(c.Extra), "DEFAULT_GENERATED"):
			cp.role, cp.note = roleSkip, "generated column (the server computes it)"
		case cp.t.kind == kUnknown:
			cp.role, cp.note = roleSkip, fmt.Sprintf("type %q not known to the generator: left to its default", c.Type)
			p.notef("column %s: %s", c.Name, cp.note)
		}
		cp.expr = loadExpr(cp.t)
		p.cols = append(p.cols, cp)
	}
	return p
}

// loadExpr is the expression a value goes through on its way in (LOAD DATA
// reads the file as CHARACTER SET binary).
func loadExpr(t colType) string {
	switch t.kind {
	case kBit:
		return "CAST(? AS UNSIGNED)"
	case kSpatial:
		if t.srid >= 0 {
			return fmt.Sprintf("ST_GeomFromText(?, %d)", t.srid)
		}
		return "ST_GeomFromText(?)"
	case kJSON:
		return "CONVERT(? USING utf8mb4)"
	case kChar:
		switch t.charset {
		case "ucs2", "utf16", "utf16le", "utf32":
			return "CONVERT(? USING utf8mb4)"
		}
	}
	return ""
}

func jsonCheckedColumns(tbl *snapshot.Table) map[string]bool {
	out := map[string]bool{}
	for _, ck := range tbl.Checks {
		cl := strings.ToLower(strings.ReplaceAll(ck.Clause, " ", ""))
		if strings.HasPrefix(strings.Trim(cl, "()"), "json_valid(") {
			name := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(strings.Trim(cl, "()"), "json_valid("), ")"), "`()")
			out[name] = true
		}
	}
	return out
}

// targets computes every column's target once the row count is known.
func (p *tablePlan) targets() {
	missing := 0
	p.missingStats = 0
	for _, cp := range p.cols {
		if cp.role == roleSkip {
			continue
		}
		cp.tg = columnTarget(cp.col, cp.t, cp.h, p.tbl, int64(p.rows), p.srcRows)
		if !cp.tg.fromStats {
			missing++
		}
	}
	if p.rows > 0 {
		p.missingStats = missing
	}
}

// capacity is how many distinct non-null values the column can hold.
func (cp *colPlan) capacity() uint64 {
	if cp.inList != nil {
		return uint64(len(cp.inList))
	}
	switch cp.t.kind {
	case kInt, kDecimal, kFloat, kDate, kDatetime, kTimestamp, kTime, kYear, kBit:
		if cp.tg.limLo != nil || cp.tg.limHi != nil {
			lo, hi := cp.tg.limits(cp.t)
			return min(uint64(hi-lo)+1, capLimit)
		}
		return numCapacity(cp.t)
	case kEnum:
		return uint64(len(cp.t.members))
	case kSet:
		if len(cp.t.members) >= 62 {
			return capLimit
		}
		return uint64(1)<<uint(len(cp.t.members)) - 1
	case kChar, kBinary:
		return strCapacity(cp.t, cp.prefix)
	case kJSON, kSpatial:
		return capLimit
	}
	return 1
}

// rowsFor is the planned row count of a table: an override, else the
// snapshot's count × scale (at least 1 when the source had rows).
func rowsFor(tbl *snapshot.Table, schema string, o *Options, noStats bool) (rows, src int64, overridden bool) {
	for _, k := range []string{schema + "." + tbl.Name, tbl.Name} {
		if n, ok := o.Rows[k]; ok {
			return n, tbl.Stats.RowCount(), true
		}
	}
	src = tbl.Stats.RowCount()
	if noStats {
		src = DefaultRows
	}
	scale := o.Scale
	if scale <= 0 {
		scale = 1
	}
	if src <= 0 {
		return 0, src, false
	}
	// Lookup tables (departments, languages, countries) keep their size
	// when scaling down: a tenth of 9 departments is not a smaller company.
	floor := min(src, MinScaledRows)
	return max(floor, int64(math.Round(float64(src)*scale))), src, false
}

// MinScaledRows is the size below which Scale does not shrink a table.
var MinScaledRows int64 = 100
