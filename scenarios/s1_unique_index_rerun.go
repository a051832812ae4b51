package scenarios

func init() {
	register(Scenario{
		Name:     "unique-index-rerun",
		Order:    1,
		Flagship: true,
		Title:    "A unique index on a 4.2M-row table, re-run by the runner under load",
		Story:    "the history misses two hand-applied migrations; the deploy re-runs them and rebuilds a unique index on 4.2M rows while a long transaction queues every writer",
		Incident: "Code.org's index change on user_scripts (tens of millions of rows) took longer than the " +
			"migration runner's timeout, so it was run by hand from the production console and a no-op " +
			"migration was shipped; Cloudlog's migrations table lagged the schema, so the tool re-ran an " +
			"index migration and failed on \"Duplicate key name\". Here the two hand-applied migrations " +
			"are re-run: one silently, one dropping and rebuilding the unique index on investments while " +
			"a reporting transaction holds the table, so the DDL waits and every writer queues behind it.",
		Sources: []string{
			"https://github.com/code-dot-org/code-dot-org/pull/67430",
			"https://github.com/code-dot-org/code-dot-org/pull/68717",
			"https://github.com/magicbug/Cloudlog/issues/3465",
			"https://github.com/Icinga/icingadb/pull/686",
		},
		Look: []string{
			"inputs: the pending set includes 20240305 and 20240306, which production already has (history drift)",
			"20240306#1 (DROP INDEX): the lock wait equals the injected transaction, and the writers' longest stall with it",
			"20240306#2 (CREATE UNIQUE INDEX): the rebuild's duration on the whole table",
			"the timeline: throughput drops to zero while the DDL waits, then recovers",
			"fixed: only the runner applies the change, one online ALTER; writers keep flowing",
		},
		DefaultScale: 0.1,
		CIScale:      0.01,
		Variants: []Variant{
			{Name: Unsafe, Config: "rehearse.yaml",
				Summary: "production's snapshot (history behind the schema), the release as shipped, a 6 s transaction on investments",
				Outcome: "fail: writers stalled ≥5 s behind the re-run DROP INDEX; unique index rebuilt"},
			{Name: Fixed, Config: "rehearse.fixed.yaml",
				Summary: "the change applied by the runner as one ALTER ... ALGORITHM=INPLACE, LOCK=NONE; lock_wait_timeout 2 s",
				Outcome: "pass: index rebuilt online, writers never stall 2 s"},
		},
	})
}
