package snapshot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// picoseconds per second: performance_schema timers are in picoseconds.
const picos = 1e12

// captureDigests reads the workload's statement digests of the selected
// schemas from performance_schema, busiest (total latency) first, at most
// limit of them. DIGEST_TEXT is normalised by the server: literals are '?'.
func (s *session) captureDigests(ctx context.Context, schemas []string, limit int) ([]Digest, error) {
	if len(schemas) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(schemas)), ",")
	args := make([]any, len(schemas))
	for i, s := range schemas {
		args[i] = s
	}
	rs, err := s.rows(ctx, `SELECT SCHEMA_NAME, DIGEST, DIGEST_TEXT, COUNT_STAR, SUM_TIMER_WAIT, AVG_TIMER_WAIT,
		MAX_TIMER_WAIT, SUM_ROWS_EXAMINED, SUM_ROWS_AFFECTED, SUM_ROWS_SENT, FIRST_SEEN, LAST_SEEN
		FROM performance_schema.events_statements_summary_by_digest
		WHERE SCHEMA_NAME IN (`+marks+`) AND DIGEST_TEXT IS NOT NULL
		ORDER BY SUM_TIMER_WAIT DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		if isAccessDenied(err) {
			return nil, privilegeError(err, "--digests (performance_schema.events_statements_summary_by_digest)",
				"SELECT on performance_schema", s.flavor, schemas[0])
		}
		return nil, fmt.Errorf("read statement digests: %w", err)
	}
	out := make([]Digest, 0, len(rs))
	for _, r := range rs {
		out = append(out, Digest{
			Schema:        r.str("schema_name"),
			Digest:        r.str("digest"),
			Text:          r.str("digest_text"),
			Count:         r.int("count_star"),
			SumLatencySec: float64(r.int("sum_timer_wait")) / picos,
			AvgLatencySec: float64(r.int("avg_timer_wait")) / picos,
			MaxLatencySec: float64(r.int("max_timer_wait")) / picos,
			RowsExamined:  r.int("sum_rows_examined"),
			RowsAffected:  r.int("sum_rows_affected"),
			RowsSent:      r.int("sum_rows_sent"),
			FirstSeen:     r.str("first_seen"),
			LastSeen:      r.str("last_seen"),
		})
	}
	if len(out) == 0 {
		s.log("warning: --digests: performance_schema has no statement digests for %s (is performance_schema on and has the workload run since the server started?)", strings.Join(schemas, ", "))
	}
	return out, nil
}
