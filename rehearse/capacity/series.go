package capacity

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
)

// point is one statement measured at one scale.
type point struct {
	scale      float64
	rows       int64
	dur        float64 // wall time minus the DDL's own metadata-lock wait
	lockWait   float64
	stall      float64
	disk       int64
	log        int64
	onlineLog  int64
	onlineRows int64
	writes     int64 // the load's writes to the statement's table while it ran
	rowWrites  int64 // of which inserts and deletes (what an index build logs)
	pagesRead  int64
	algorithm  string  // as the rehearsal observed it (COPY when rows were copied)
	pool       int64   // the rehearsal server's buffer pool
	replicas   bool    // the rehearsal had replicas
	lag        float64 // the statement's largest peak replica lag
	err        string
	code       int
}

// series is one statement across the scales.
type series struct {
	version string
	index   int
	sql     string
	schema  string
	table   string
	sp      *plan.StatementPlan // nil when the plan does not know it
	points  []point
}

func (s *series) ok() []point {
	var out []point
	for _, p := range s.points {
		if p.err == "" {
			out = append(out, p)
		}
	}
	return out
}

// collect gathers every up statement of every report into series, in the
// order of the first report that ran them. Rows come from the report's
// generated row counts for the statement's table (as the plan names it).
func collect(reports []*result.Report, p *plan.Plan) []*series {
	plans := map[string]*plan.StatementPlan{}
	if p != nil {
		for i := range p.Pending {
			pm := &p.Pending[i]
			for j := range pm.Statements {
				plans[key(pm.Version, j+1)] = &pm.Statements[j]
			}
		}
	}
	byKey := map[string]*series{}
	var order []*series
	for _, rep := range reports {
		for _, m := range rep.Migrations {
			for _, st := range m.Statements {
				k := key(m.Version, st.Index)
				s := byKey[k]
				if s == nil {
					s = &series{version: m.Version, index: st.Index, sql: st.SQL, sp: plans[k]}
					if s.sp != nil && s.sp.Table != nil {
						s.schema, s.table = s.sp.Table.Schema, s.sp.Table.Name
					} else {
						s.schema, s.table = tableFromSQL(st.SQL)
					}
					byKey[k] = s
					order = append(order, s)
				}
				if st.Status == "not_run" {
					continue
				}
				s.points = append(s.points, pointOf(rep, st, s.schema, s.table))
			}
		}
	}
	for _, s := range order {
		sort.SliceStable(s.points, func(i, j int) bool { return s.points[i].scale < s.points[j].scale })
	}
	return order
}

func key(version string, index int) string { return fmt.Sprintf("%s#%d", version, index) }

func pointOf(rep *result.Report, st result.Statement, schema, table string) point {
	p := point{
		scale:     rep.Inputs.Scale,
		lockWait:  st.LockWaitS,
		dur:       max(st.DurationS-st.LockWaitS, 0),
		stall:     max(st.LongestStallS-st.LockWaitS, 0),
		disk:      st.TempBytes,
		algorithm: st.Algorithm,
		err:       st.Error,
		code:      st.ErrorCode,
	}
	if p.scale == 0 {
		p.scale = 1
	}
	p.rows = tableRows(rep.Inputs.TableRows, schema, table)
	p.replicas, p.lag = len(st.Replicas) > 0, st.MaxReplicaLag()
	if r := st.Resources; r != nil {
		p.log, p.pagesRead, p.pool = r.LogBytes, r.PagesRead, r.BufferPool
		p.onlineLog, p.onlineRows = r.OnlineLogBytes, r.OnlineLogRows
		w := tableWrites(r.TableWrites, schema, table)
		p.writes, p.rowWrites = w.Total(), w.Inserts+w.Deletes
	}
	return p
}

// tableRows finds a table in a "schema.table" map: exact when the schema
// is known and present, else by table name (the dsn engine renames the
// schema to its scratch database).
func tableRows(m map[string]int64, schema, table string) int64 {
	if table == "" || len(m) == 0 {
		return 0
	}
	if schema != "" {
		if v, ok := m[schema+"."+table]; ok {
			return v
		}
	}
	for k, v := range m {
		if _, t, ok := strings.Cut(k, "."); ok && strings.EqualFold(t, table) {
			return v
		}
	}
	return 0
}

func tableWrites(m map[string]result.WriteCounts, schema, table string) result.WriteCounts {
	if table == "" || len(m) == 0 {
		return result.WriteCounts{}
	}
	if schema != "" {
		if v, ok := m[schema+"."+table]; ok {
			return v
		}
	}
	for k, v := range m {
		if _, t, ok := strings.Cut(k, "."); ok && strings.EqualFold(t, table) {
			return v
		}
	}
	return result.WriteCounts{}
}

// opClasses lists a statement's operation classes, inner ones included.
func opClasses(sp *plan.StatementPlan) []string {
	if sp == nil {
		return nil
	}
	var out []string
	for _, o := range sp.Ops {
		out = append(out, o.Class)
	}
	for i := range sp.Inner {
		out = append(out, opClasses(&sp.Inner[i])...)
	}
	return out
}

func has(classes []string, want ...string) bool {
	for _, c := range classes {
		for _, w := range want {
			if c == w {
				return true
			}
		}
	}
	return false
}

// preferred is the duration model the plan's operation class implies; a
// table copy the rehearsal observed (rows affected by an ALTER) wins over
// the plan's prediction.
func preferred(sp *plan.StatementPlan, points []point) (model, why string) {
	classes := opClasses(sp)
	for _, p := range points {
		if p.algorithm == plan.Copy && !has(classes, plan.OpAddIndex, plan.OpAddUnique, plan.OpAddFulltext, plan.OpAddSpatial, plan.OpAddPrimaryKey) {
			return Linear, "the rehearsal copied the table (ALGORITHM=COPY: every row, linear)"
		}
	}
	if sp == nil {
		return Linear, "the plan does not know this statement: linear by default"
	}
	algo := plan.Effective(sp)
	switch {
	case has(classes, plan.OpAddIndex, plan.OpAddUnique, plan.OpAddFulltext, plan.OpAddSpatial, plan.OpAddPrimaryKey):
		return NLogN, "an index build sorts the rows (n·log n)"
	case algo != nil && (algo.Rebuild || algo.Algorithm == plan.Copy):
		return Linear, fmt.Sprintf("a table %s copies every row (linear)", strings.ToLower(map[bool]string{true: "copy", false: "rebuild"}[algo.Algorithm == plan.Copy]))
	case algo != nil && algo.Algorithm == plan.Instant:
		return Constant, "INSTANT changes only metadata (constant)"
	case has(classes, plan.OpDropIndex, plan.OpRenameIndex, plan.OpRenameColumn, plan.OpChangeDefault, plan.OpDropForeignKey,
		plan.OpDropCheck, plan.OpRenameTable, plan.OpCreateTable, plan.OpCreateView, plan.OpDropView, plan.OpCreateRoutine,
		plan.OpDropRoutine, plan.OpCreateTrigger, plan.OpDropTrigger, plan.OpTableComment, plan.OpAutoIncValue, plan.OpIndexVisibility, plan.OpSession):
		return Constant, "a metadata-only change (constant)"
	case has(classes, plan.OpInsert, plan.OpUpdate, plan.OpDelete):
		return Linear, "DML touches rows one by one (linear)"
	}
	return Linear, "no class-specific model: linear"
}

// online reports whether the statement runs online with concurrent writes
// logged (an INPLACE/NOCOPY index build or rebuild with LOCK=NONE): the
// online log limit applies.
func online(sp *plan.StatementPlan) bool {
	if sp == nil {
		return false
	}
	algo := plan.Effective(sp)
	if algo == nil || algo.Algorithm == plan.Copy || algo.Algorithm == plan.Instant {
		return false
	}
	if algo.Lock != "" && algo.Lock != plan.LockNone {
		return false
	}
	classes := opClasses(sp)
	return has(classes, plan.OpAddIndex, plan.OpAddUnique, plan.OpAddPrimaryKey) || algo.Rebuild
}

var tableRe = regexp.MustCompile("(?is)^\\s*(?:ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE|(?:CREATE|DROP)\\s+(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+\\S+\\s+ON|OPTIMIZE\\s+TABLE|UPDATE|DELETE\\s+FROM|INSERT\\s+(?:IGNORE\\s+)?INTO)\\s+([`\\w$.]+)")

// tableFromSQL names the table of a statement the plan does not know (no
// plan could be made): the first table of ALTER TABLE, CREATE/DROP INDEX
// ... ON, OPTIMIZE, UPDATE, DELETE and INSERT.
func tableFromSQL(sql string) (schema, table string) {
	m := tableRe.FindStringSubmatch(sql)
	if m == nil {
		return "", ""
	}
	name := strings.ReplaceAll(m[1], "`", "")
	if a, b, ok := strings.Cut(name, "."); ok {
		return a, b
	}
	return "", name
}
