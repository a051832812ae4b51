package scenarios

func init() {
	register(Scenario{
		Name:  "column-type-copy",
		Order: 5,
		Title: "A column type change that copies a big table",
		Story: "INT -> BIGINT on states copies the whole table, once per statement, and every write waits for the copy",
		Incident: "Home Assistant 2024.8 on MariaDB widened the states ids with `ALTER TABLE states MODIFY ... BIGINT`, " +
			"one column per statement: each a full table copy; on big databases the migration ran for days and " +
			"failed. Mattermost v6.0's `ALTER TABLE Posts MODIFY ... JSON` took 26 minutes on 11.5M rows, with " +
			"the tables read-only meanwhile; combining three ALTERs into one cut the time by a factor of 3.",
		Sources: []string{
			"https://github.com/home-assistant/core/issues/123451",
			"https://github.com/home-assistant/core/issues/125339",
			"https://github.com/mattermost/mattermost/pull/18210",
			"https://gist.github.com/streamer45/59b3582118913d4fc5e8ff81ea78b055",
		},
		Look: []string{
			"20240801#1 and #2: algorithm COPY; the writers' longest stall covers most of each statement (MariaDB 10.11, MySQL)",
			"the two statements copy the table twice: one ALTER with both changes copies it once",
			"the plan's finding on the rebuild of a large table, recommending an online schema change tool and saying why",
			"fixed: LOCK=NONE makes the server refuse at once (1846) instead of blocking writes; MariaDB 11.2+ runs it online",
		},
		DefaultScale: 0.05,
		CIScale:      0.01,
		Variants: []Variant{
			{Name: Unsafe, Config: "rehearse.yaml",
				Summary: "two ALTER ... MODIFY BIGINT statements, each a table copy",
				Outcome: "fail: writes blocked for most of each copy (MariaDB 10.11, MySQL)"},
			{Name: Fixed, Config: "rehearse.fixed.yaml",
				Summary: "one ALTER with both changes and LOCK=NONE",
				Outcome: "fail fast on 10.11/MySQL (1846: use an online schema change tool); pass online on MariaDB 11.2+"},
		},
	})
}
