package snapshot

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// SettingNames are the server variables a snapshot records: the ones that
// change what a DDL statement does, how long it may wait, and how it is
// replicated. Variables a flavor does not have are simply absent.
var SettingNames = []string{
	"sql_mode",
	"lock_wait_timeout",
	"innodb_lock_wait_timeout",
	"innodb_online_alter_log_max_size",
	"alter_algorithm", // MariaDB
	"old_alter_table",
	"character_set_server",
	"collation_server",
	"innodb_default_row_format",
	"innodb_buffer_pool_size",
	"transaction_isolation",
	"tx_isolation", // MariaDB < 11.1 name of transaction_isolation
	"max_allowed_packet",
	"foreign_key_checks",
	"unique_checks",
	"default_storage_engine",
	"explicit_defaults_for_timestamp",
	"innodb_strict_mode",
	"innodb_file_per_table",
	"innodb_autoinc_lock_mode",
	"innodb_page_size",
	"innodb_instant_alter_column_allowed", // MariaDB
	"innodb_sort_buffer_size",
	"innodb_ddl_buffer_size", // MySQL 8.0.27+
	"innodb_ddl_threads",
	"innodb_parallel_read_threads",
	"innodb_log_file_size",
	"innodb_flush_log_at_trx_commit",
	"lower_case_table_names",
	"default_collation_for_utf8mb4", // MySQL
	"character_set_collations",      // MariaDB 11.2+: a character set's default collation
	"sql_require_primary_key",       // MySQL
	"max_execution_time",            // MySQL
	"max_statement_time",            // MariaDB
	"tmp_table_size",
	"max_heap_table_size",
	"binlog_format",
	"binlog_row_image",
	"log_bin",
	"gtid_mode",
	// Replication (snapshot.TopologyOf reads them across flavors): GTIDs,
	// parallel apply, semi-sync, MariaDB's two-phase ALTER, Galera, group
	// replication.
	"enforce_gtid_consistency", // MySQL
	"gtid_strict_mode",         // MariaDB
	"log_replica_updates",      // MySQL 8.0.26+
	"log_slave_updates",
	"sync_binlog",
	"read_only",
	"replica_parallel_workers", // MySQL 8.0.26+
	"slave_parallel_workers",   // MySQL before 8.0.26 (MariaDB: alias of slave_parallel_threads)
	"slave_parallel_threads",   // MariaDB
	"slave_parallel_mode",      // MariaDB
	"replica_parallel_type",    // MySQL 8.0.26-8.3
	"slave_parallel_type",
	"replica_preserve_commit_order", // MySQL 8.0.26+
	"slave_preserve_commit_order",
	"binlog_transaction_dependency_tracking", // MySQL 8.0 (removed in 8.4: WRITESET always)
	"rpl_semi_sync_source_enabled",           // MySQL 8.0.26+ (plugin)
	"rpl_semi_sync_master_enabled",           // MariaDB, older MySQL
	"rpl_semi_sync_replica_enabled",
	"rpl_semi_sync_slave_enabled",
	"rpl_semi_sync_source_timeout",
	"rpl_semi_sync_master_timeout",
	"rpl_semi_sync_source_wait_point",
	"rpl_semi_sync_master_wait_point",
	"rpl_semi_sync_source_wait_for_replica_count",
	"binlog_alter_two_phase", // MariaDB 10.8+
	"wsrep_on",               // Galera
	"wsrep_osu_method",
	"wsrep_slave_threads",
	"wsrep_applier_threads",
	"group_replication_single_primary_mode",
	"group_replication_consistency",
	"time_zone",
	"system_time_zone",
	"performance_schema",
	"event_scheduler",
	"wait_timeout",
}

// captureSettings reads the global values of SettingNames. The MariaDB name
// tx_isolation is recorded as transaction_isolation so snapshots of both
// flavors compare.
func (s *session) captureSettings(ctx context.Context) (map[string]string, error) {
	names := make([]string, len(SettingNames))
	for i, n := range SettingNames {
		names[i] = "'" + n + "'"
	}
	rs, err := s.rows(ctx, "SHOW GLOBAL VARIABLES WHERE Variable_name IN ("+strings.Join(names, ",")+")")
	if err != nil {
		return nil, fmt.Errorf("read server settings: %w", err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[strings.ToLower(r.str("variable_name"))] = r.str("value")
	}
	if v, ok := out["tx_isolation"]; ok {
		if _, has := out["transaction_isolation"]; !has {
			out["transaction_isolation"] = v
		}
		delete(out, "tx_isolation")
	}
	return out, nil
}

// SortedSettingKeys returns the settings' names in order.
func SortedSettingKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
