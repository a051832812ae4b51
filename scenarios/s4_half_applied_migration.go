package scenarios

func init() {
	register(Scenario{
		Name:  "half-applied-migration",
		Order: 4,
		Title: "A multi-statement migration fails half-way",
		Story: "the ALTER commits, the INSERT fails under strict sql_mode, the re-run fails on \"duplicate column\" and the down cannot recover",
		Incident: "facileManager 2.1.5 → 2.2 on MariaDB: the upgrade added acl_parent_id to fm_dns_acls, then an " +
			"INSERT failed with `#1364 Field 'acl_name' doesn't have a default value`; every later run failed at " +
			"once with `#1060 Duplicate column name 'acl_parent_id'` because the DDL had committed. Grafana 5.0 on " +
			"MySQL: the migration dropped an index but could not record it, and the restart failed on `Duplicate " +
			"key name`. DDL is not transactional on MySQL: a migration of N statements that fails at k leaves k-1 applied.",
		Sources: []string{
			"https://github.com/facileManager/facileManager/issues/313",
			"https://github.com/grafana/grafana/issues/11085",
			"https://github.com/golang-migrate/migrate/issues/751",
		},
		Look: []string{
			"20240501#2 fails with 1364 under production's strict sql_mode",
			"the partial state: statement 1 committed, the column acl_parent_id is now in the schema",
			"whether the down recovers from that state (it does not: its first statement drops an index that was never built)",
			"fixed: one statement per migration, each down exact; the rollback restores the pre-release schema",
		},
		DefaultScale: 1,
		CIScale:      0.2,
		Variants: []Variant{
			{Name: Unsafe, Config: "rehearse.yaml",
				Summary: "one migration: ALTER, INSERT without acl_name, ALTER",
				Outcome: "fail: 1364 at statement 2, statement 1 committed, down does not recover"},
			{Name: Fixed, Config: "rehearse.fixed.yaml",
				Summary: "split into three migrations; the INSERT names every NOT NULL column",
				Outcome: "pass: all applied, rollback restores the schema"},
		},
	})
}
