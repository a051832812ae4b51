package scenarios

func init() {
	register(Scenario{
		Name:  "mdl-pileup",
		Order: 2,
		Title: "Metadata-lock pile-up behind a long-running query",
		Story: "an online ADD INDEX waits behind a long SELECT on history, and every INSERT queues behind the ALTER",
		Incident: "Icinga DB, MariaDB, 2024-03: a slow `SELECT ... FROM history ORDER BY event_time, event_type` " +
			"(the query the new index was meant to fix) held a shared metadata lock on a ~21M-row table; " +
			"`ALTER TABLE history ADD INDEX ...` waited for its exclusive lock, and every new INSERT into the " +
			"history tables queued in \"Waiting for table metadata lock\". The maintainer: \"there's a risk of " +
			"blocking the whole database if there's some long-running query\".",
		Sources: []string{
			"https://github.com/Icinga/icingadb/pull/686",
			"https://github.com/Icinga/icingadb/issues/683",
			"https://github.com/privacyidea/privacyidea/issues/1461",
		},
		Look: []string{
			"the injected 8 s transaction on history, marked on the timeline",
			"20240311#1: the DDL's lock wait is the injected duration, and the writers' longest stall matches it",
			"the timeline: write throughput falls to zero and the waiter count climbs while the ALTER waits",
			"fixed: the ALTER fails with 1205 after 2 s, the writers resume at once; the deploy retries later",
		},
		DefaultScale: 0.01,
		CIScale:      0.002,
		Variants: []Variant{
			{Name: Unsafe, Config: "rehearse.yaml",
				Summary: "production's lock_wait_timeout (one day), an 8 s query on history",
				Outcome: "fail: writers stalled ≥7 s behind the waiting ALTER"},
			{Name: Fixed, Config: "rehearse.fixed.yaml",
				Summary: "the same query, the ALTER run with lock_wait_timeout=2s",
				Outcome: "fail fast: the ALTER gives up after 2 s (1205), writers resume; retry later"},
		},
	})
}
