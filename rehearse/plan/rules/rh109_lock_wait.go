package rules

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/rehearse/rehearse/rehearse/codes"
	"github.com/rehearse/rehearse/rehearse/plan"
)

// rh109 flags DDL run without a lock_wait_timeout when production's is the
// default of one year: a DDL waiting for its metadata lock behind one long
// transaction queues every later query on the table behind it.
type rh109 struct{ base }

func init() {
	register(rh109{of(codes.NoLockWaitTimeout)})
}

var setLockWait = regexp.MustCompile(`(?i)\block_wait_timeout\b`)

func (r rh109) Check(c *plan.RuleContext) []plan.Finding {
	limit := c.Config.Int("max_lock_wait_timeout", 300)
	v, ok := c.Snapshot.Settings["lock_wait_timeout"]
	if !ok {
		return nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs <= float64(limit) {
		return nil
	}
	var out []plan.Finding
	for i := range c.Plan.Pending {
		pm := &c.Plan.Pending[i]
		set, ddl := false, -1
		for j, sp := range pm.Statements {
			if setLockWait.MatchString(sp.SQL) && sp.Kind == "session" {
				set = true
			}
			if ddl < 0 && countsAsDDL(sp) && sp.Table != nil && !sp.Table.New {
				ddl = j
			}
		}
		if set || ddl < 0 {
			continue
		}
		f := at(pm, &pm.Statements[ddl])
		f.Message = fmt.Sprintf("DDL on an existing table with production's lock_wait_timeout=%s s: behind one long transaction the DDL waits for its metadata lock that long, and every query on the table queues behind it", v)
		f.Recommendation = "SET SESSION lock_wait_timeout = 5 (or similar) before the DDL and retry on error 1205, or configure the runner's session to do it"
		out = append(out, f)
	}
	return out
}

// Options: rehearse.yaml's rules: RH109: {max_lock_wait_timeout: SECONDS}.
func (rh109) Options() []string { return []string{"max_lock_wait_timeout"} }
