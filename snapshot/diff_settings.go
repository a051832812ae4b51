package snapshot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// version reports flavor and version drift.
func (d *differ) version() {
	sa, sb := d.a.Source, d.b.Source
	switch {
	case sa.Flavor != sb.Flavor:
		d.add(DriftVersion, "flavor", "differs", sa.Flavor+" "+sa.Version, sb.Flavor+" "+sb.Version,
			"{A} runs %s and {B} runs %s: online DDL algorithms, INSTANT support, defaults and syntax differ, so a migration that is safe on one proves nothing about the other", sa.Flavor, sb.Flavor)
	case shortVersion(sa.Version) != shortVersion(sb.Version):
		d.add(DriftVersion, "version", "differs", sa.Version, sb.Version,
			"different major versions: which ALTERs run INSTANT or in place and which lock the table changes between %s releases (e.g. MySQL 8.0.29 made INSTANT ADD COLUMN work at any position); rehearse on %s's version", sa.Flavor, "{A}")
	case sa.Version != sb.Version:
		d.add(DriftVersion, "version", "differs", sa.Version, sb.Version,
			"patch releases differ: DDL behaviour is usually the same, but bugs fixed in one release (crash-safe DDL, instant-ALTER corner cases) can still make a migration behave differently")
	}
}

// settingConsequence explains a differing setting.
var settingConsequence = map[string]string{
	"sql_mode":                            "what a migration accepts differs: without STRICT_TRANS_TABLES a value that does not fit is silently truncated instead of failing; NO_ZERO_DATE/NO_ZERO_IN_DATE decide whether zero dates break an ALTER; ONLY_FULL_GROUP_BY decides whether data-migration queries fail",
	"lock_wait_timeout":                   "a DDL statement waits for its metadata lock up to %s in {A} and %s in {B}; while it waits every later query on the table queues behind it, so the longer value bounds how long writes can stall behind one blocked migration",
	"innodb_lock_wait_timeout":            "row-lock waits give up after %s in {A} and %s in {B}: data migrations and the application fail (error 1205) at different moments",
	"innodb_online_alter_log_max_size":    "an online ALTER fails (DB_ONLINE_LOG_TOO_BIG) when concurrent writes during the rebuild exceed %s in {A} vs %s in {B}: the same migration can pass in one and abort in the other under load",
	"alter_algorithm":                     "the default ALTER algorithm differs: statements without ALGORITHM= may copy the table in one environment and run in place in the other",
	"old_alter_table":                     "one environment forces table-copy ALTERs: every ALTER rebuilds the table and blocks writes there",
	"character_set_server":                "new databases and tables get different character sets: a CREATE TABLE without CHARSET produces different columns",
	"collation_server":                    "new tables get different collations: comparisons, unique keys and ORDER BY differ, and joins between old and new tables can fail (illegal mix of collations)",
	"innodb_default_row_format":           "new and rebuilt tables get a different row format: index key length limits differ (767 vs 3072 bytes), so a migration adding a long index can fail in one environment",
	"innodb_buffer_pool_size":             "the buffer pool is %s in {A} vs %s in {B}: table rebuilds and index builds that fit in memory in one read from disk in the other, so durations differ",
	"transaction_isolation":               "data migrations and the application see different isolation: locking reads and gap locks differ, so lock waits and deadlocks during a migration differ",
	"max_allowed_packet":                  "a migration with a statement or row larger than %s ({A}) / %s ({B}) fails in one environment only",
	"foreign_key_checks":                  "foreign keys are not enforced globally in one environment: a migration adding a foreign key over bad data passes there and fails in the other",
	"explicit_defaults_for_timestamp":     "TIMESTAMP columns created by a migration get different defaults and nullability",
	"innodb_strict_mode":                  "with strict mode off, invalid ROW_FORMAT/KEY_BLOCK_SIZE options are warnings instead of errors: a CREATE or ALTER passes in one environment and fails in the other",
	"default_storage_engine":              "a CREATE TABLE without ENGINE= creates tables of different engines",
	"lower_case_table_names":              "table-name case is handled differently: a migration naming a table in another case fails in one environment",
	"sql_require_primary_key":             "CREATE TABLE without a primary key fails in one environment only",
	"innodb_autoinc_lock_mode":            "auto-increment locking differs: bulk inserts during a migration take table-level AUTO-INC locks in one environment",
	"max_execution_time":                  "SELECTs are cut off at different times: long data-migration SELECTs fail in one environment",
	"max_statement_time":                  "statements are cut off at different times: a long migration statement is aborted in one environment only",
	"binlog_format":                       "with statement-based logging some data migrations are unsafe for replicas or refused (error 1592) in one environment",
	"binlog_row_image":                    "row images differ in size: data migrations write different amounts of binary log, and replicas lag differently",
	"log_bin":                             "binary logging is on in one environment only: there every migration also writes the binary log (more I/O, longer data migrations), and functions or triggers that are not deterministic can be refused (1418)",
	"gtid_mode":                           "with GTIDs on, CREATE TABLE ... SELECT and transactions mixing engines are refused (GTID consistency, 1786): such a migration fails in one environment only",
	"innodb_flush_log_at_trx_commit":      "commit durability differs: commit latency, and so how far writes back up behind a migration, differs",
	"tmp_table_size":                      "in-memory temporary tables spill to disk at %s in {A} vs %s in {B}: data migrations with GROUP BY or DISTINCT run at different speeds",
	"max_heap_table_size":                 "in-memory temporary tables are capped at %s in {A} vs %s in {B}: data migrations that sort or group run at different speeds",
	"innodb_sort_buffer_size":             "online index builds sort with %s in {A} vs %s in {B}: index-creating migrations take different time",
	"innodb_ddl_buffer_size":              "online DDL buffers are %s in {A} vs %s in {B}: index builds and rebuilds take different time",
	"innodb_ddl_threads":                  "online DDL runs with a different number of threads: index builds take different time",
	"innodb_parallel_read_threads":        "clustered-index scans (CHECK TABLE, COUNT(*), online DDL) run with a different number of threads",
	"innodb_log_file_size":                "the redo log is %s in {A} vs %s in {B}: large online ALTERs and data migrations checkpoint (and stall writes) at different moments",
	"innodb_instant_alter_column_allowed": "whether ADD/DROP/reorder COLUMN can be INSTANT differs: the same ALTER is instant in one environment and rebuilds the table in the other",
	"innodb_file_per_table":               "tables created by a migration go to the system tablespace in one environment: their space is never returned, and TRUNCATE/OPTIMIZE behave differently",
	"innodb_page_size":                    "the page size differs: maximum row and index key sizes differ, so a migration adding wide columns or long indexes can fail in one environment",
	"default_collation_for_utf8mb4":       "utf8mb4 columns created without a collation get different collations",
	"character_set_collations":            "columns declared with a character set but no COLLATE get different collations: comparisons and unique keys differ, and a MODIFY naming the character set changes the collation in one environment only",
	"time_zone":                           "the session time zone differs: NOW(), CURRENT_TIMESTAMP defaults and TIMESTAMP conversions in data migrations give different values",
	"unique_checks":                       "unique checks are off globally in one environment: duplicate rows a migration inserts are accepted there",
}

// settingSynonyms are values that mean the same across flavors (MySQL's
// boolean old_alter_table and MariaDB's enum of the same name).
var settingSynonyms = map[string]map[string]string{
	"old_alter_table": {"OFF": "DEFAULT", "0": "DEFAULT", "ON": "COPY", "1": "COPY"},
}

// settingIgnored are settings whose difference says nothing about a release.
var settingIgnored = map[string]bool{"system_time_zone": true, "performance_schema": true, "event_scheduler": true, "wait_timeout": true}

// settings reports settings drift.
func (d *differ) settings() {
	keys := map[string]bool{}
	for k := range d.a.Settings {
		keys[k] = true
	}
	for k := range d.b.Settings {
		keys[k] = true
	}
	for _, k := range SortedSettingKeys(toMap(keys)) {
		if settingIgnored[k] || isTopologySetting(k) {
			continue
		}
		va, okA := d.a.Settings[k]
		vb, okB := d.b.Settings[k]
		if !okA || !okB {
			continue // a variable one flavor or version lacks: the version finding covers it
		}
		if settingEqual(k, va, vb) {
			continue
		}
		c, ok := settingConsequence[k]
		if !ok {
			c = "this setting changes how DDL runs or what it accepts; the environments behave differently"
		}
		if strings.Count(c, "%s") == 2 {
			c = fmt.Sprintf(c, humanSetting(k, va), humanSetting(k, vb))
		} else if k == "sql_mode" {
			c = sqlModeDelta(va, vb) + c
		}
		d.add(DriftSettings, k, "differs", va, vb, "%s", c)
	}
}

func toMap(keys map[string]bool) map[string]string {
	m := make(map[string]string, len(keys))
	for k := range keys {
		m[k] = ""
	}
	return m
}

func settingEqual(k, a, b string) bool {
	if k == "sql_mode" {
		return strings.Join(sortedModes(a), ",") == strings.Join(sortedModes(b), ",")
	}
	a, b = strings.ToUpper(strings.TrimSpace(a)), strings.ToUpper(strings.TrimSpace(b))
	if syn := settingSynonyms[k]; syn != nil {
		if v, ok := syn[a]; ok {
			a = v
		}
		if v, ok := syn[b]; ok {
			b = v
		}
	}
	return a == b
}

func sortedModes(m string) []string {
	var out []string
	for _, p := range strings.Split(strings.ToUpper(m), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	sortStrings(out)
	return out
}

// sqlModeDelta names the modes only one side has.
func sqlModeDelta(a, b string) string {
	ma, mb := sortedModes(a), sortedModes(b)
	has := func(list []string, x string) bool {
		for _, y := range list {
			if y == x {
				return true
			}
		}
		return false
	}
	var onlyA, onlyB []string
	for _, x := range ma {
		if !has(mb, x) {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range mb {
		if !has(ma, x) {
			onlyB = append(onlyB, x)
		}
	}
	var parts []string
	if len(onlyA) > 0 {
		parts = append(parts, "only {A} has "+strings.Join(onlyA, ", "))
	}
	if len(onlyB) > 0 {
		parts = append(parts, "only {B} has "+strings.Join(onlyB, ", "))
	}
	return strings.Join(parts, "; ") + ": "
}

// humanSetting renders durations and sizes for people.
func humanSetting(k, v string) string {
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return v
	}
	switch {
	case strings.HasSuffix(k, "_timeout") || k == "max_statement_time":
		return humanDuration(time.Duration(n * float64(time.Second)))
	case k == "max_execution_time":
		return humanDuration(time.Duration(n * float64(time.Millisecond)))
	case strings.HasSuffix(k, "_size") || k == "max_allowed_packet" || k == "tmp_table_size":
		return mysqlkit.BytesShort(int64(n))
	}
	return v
}

func humanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "no limit"
	case d >= 365*24*time.Hour:
		if y := d.Hours() / 24 / 365; y >= 1.995 {
			return fmt.Sprintf("%.3g years", y)
		}
		return fmt.Sprintf("%.3g year", d.Hours()/24/365)
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.3g days", d.Hours()/24)
	case d >= 2*time.Hour:
		return fmt.Sprintf("%.3g hours", d.Hours())
	case d >= 2*time.Minute:
		return fmt.Sprintf("%.3g minutes", d.Minutes())
	}
	return d.String()
}

// shortVersion is major.minor.
func shortVersion(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
