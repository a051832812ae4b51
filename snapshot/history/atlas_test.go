package history_test

import (
	"testing"

	"github.com/rehearse/rehearse/snapshot/history"
)

func TestAtlas(t *testing.T) {
	sh := fixture(t, "atlas_schema_revisions",
		`CREATE TABLE {db}.atlas_schema_revisions (version varchar(255) NOT NULL, description varchar(255) NOT NULL, type bigint unsigned NOT NULL DEFAULT 2,
		  applied bigint NOT NULL DEFAULT 0, total bigint NOT NULL DEFAULT 0, executed_at timestamp NOT NULL, execution_time bigint NOT NULL,
		  error longtext NULL, error_stmt longtext NULL, hash varchar(255) NOT NULL, partial_hashes json NULL, operator_version varchar(255) NOT NULL,
		  PRIMARY KEY (version))`,
		"SET time_zone = '+00:00'",
		`INSERT INTO {db}.atlas_schema_revisions VALUES
		  ('.atlas_cloud_identifier', 'x', 0, 0, 0, '2024-01-01 00:00:00', 0, NULL, NULL, '', NULL, 'v'),
		  ('20240101000000', 'init', 2, 3, 3, '2024-01-01 00:00:00', 10, NULL, NULL, 'h1', NULL, 'v'),
		  ('20240201000000', 'users', 2, 1, 2, '2024-02-01 00:00:00', 10, 'Error 1060: Duplicate column', 'ALTER TABLE ...', 'h2', NULL, 'v')`)
	check(t, sh, "atlas", []history.Entry{
		{Version: "20240101000000", Name: "init", Checksum: "h1", AppliedAt: at("2024-01-01 00:00:00")},
		{Version: "20240201000000", Name: "users", Checksum: "h2", AppliedAt: at("2024-02-01 00:00:00"), Dirty: true, Failed: true},
	})
}
