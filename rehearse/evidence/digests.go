package evidence

import (
	"sort"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/snapshot"
)

// digestColumns are performance_schema.events_statements_summary_by_digest's
// columns (MariaDB 10.11, MySQL 8.0 to 9.7), lower case; the ones the
// reproduction reads map to a field name, the others to "-".
var digestColumns = map[string]string{
	"schema_name": "schema", "digest": "digest", "digest_text": "text", "count_star": "count",
	"sum_timer_wait": "sum", "avg_timer_wait": "avg", "max_timer_wait": "max", "min_timer_wait": "-",
	"sum_rows_affected": "affected", "sum_rows_sent": "sent", "sum_rows_examined": "examined",
	"first_seen": "first", "last_seen": "last",
	"sum_lock_time": "-", "sum_errors": "-", "sum_warnings": "-", "sum_created_tmp_disk_tables": "-",
	"sum_created_tmp_tables": "-", "sum_select_full_join": "-", "sum_select_full_range_join": "-",
	"sum_select_range": "-", "sum_select_range_check": "-", "sum_select_scan": "-",
	"sum_sort_merge_passes": "-", "sum_sort_range": "-", "sum_sort_rows": "-", "sum_sort_scan": "-",
	"sum_no_index_used": "-", "sum_no_good_index_used": "-", "sum_cpu_time": "-",
	"max_controlled_memory": "-", "max_total_memory": "-", "count_secondary": "-",
	"quantile_95": "-", "quantile_99": "-", "quantile_999": "-", "query_sample_text": "-",
	"query_sample_seen": "-", "query_sample_timer_wait": "-",
}

// picoseconds per second: performance_schema's timers.
const picos = 1e12

// digests reads a digest export. Rows without a DIGEST_TEXT (statements
// the server did not digest) are skipped; a number that does not read is
// a Problem and the row is skipped.
func (r *reader) digests(name, form string, secs []section) {
	var unknown []string
	seen := map[string]bool{}
	for _, s := range secs {
		for _, c := range s.columns {
			if digestColumns[c] == "" && !isCaptureTimeColumn(c) && !seen[c] {
				seen[c] = true
				unknown = append(unknown, c)
			}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		r.problem(name, 1, "unknown column(s) %s: ignored", strings.Join(unknown, ", "))
	}
	for _, s := range secs {
		for _, row := range s.rows {
			get := func(field string) string {
				for col, f := range digestColumns {
					if f == field && !row.null[col] {
						if v, ok := row.fields[col]; ok {
							return strings.TrimSpace(v)
						}
					}
				}
				return ""
			}
			d := snapshot.Digest{Schema: get("schema"), Digest: get("digest"), Text: get("text"), FirstSeen: get("first"), LastSeen: get("last")}
			if d.Text == "" {
				continue
			}
			var err error
			num := func(field string) int64 {
				v := get(field)
				if v == "" || err != nil {
					return 0
				}
				n, e := strconv.ParseInt(v, 10, 64)
				if e != nil {
					f, e2 := strconv.ParseFloat(v, 64)
					if e2 != nil {
						err = e
						return 0
					}
					n = int64(f)
				}
				return n
			}
			d.Count = num("count")
			sum, avg, max := num("sum"), num("avg"), num("max")
			d.RowsAffected, d.RowsSent, d.RowsExamined = num("affected"), num("sent"), num("examined")
			if err != nil {
				r.problem(name, row.line, "digest %s: %v: row skipped", d.Digest, err)
				continue
			}
			d.SumLatencySec, d.AvgLatencySec, d.MaxLatencySec = float64(sum)/picos, float64(avg)/picos, float64(max)/picos
			if d.Count == 0 {
				r.problem(name, row.line, "digest %s has no COUNT_STAR: its rate is unknown", d.Digest)
			}
			r.ev.Digests = append(r.ev.Digests, d)
		}
	}
	_ = form
}
