package scenarios

func init() {
	register(Scenario{
		Name:  "drop-column-app-compat",
		Order: 6,
		Title: "Dropping a column the previous app version still writes",
		Story: "release 1.9 drops invoices.legacy_ref, which 1.8 writes on every insert: the deploy's old instances and any app rollback break, and the down brings the column back empty",
		Incident: "A backward-incompatible migration: the schema change ships with the release that stops using the " +
			"column, but the previous version keeps running during a rolling deploy and is what an app rollback " +
			"returns to. Mattermost's v6 notes say v5 and v6 cannot run side by side for this reason; the " +
			"privacyIDEA re-run failed on `1054 Unknown column 'token.user_id'` after the column was gone.",
		Sources: []string{
			"https://github.com/mattermost/docs/pull/5053",
			"https://github.com/privacyidea/privacyidea/issues/1453",
		},
		Look: []string{
			"app_compat: the previous release's INSERT into invoices fails with 1054 on the new schema",
			"rollback: 20240901's down re-adds legacy_ref empty (data lost)",
			"fixed: release 1.9 only makes the column optional; the previous app keeps working, the down restores it; the drop waits for release 2.0 (next/)",
		},
		Extra:        []string{"next/20241001_drop_invoices_legacy_ref.up.sql", "next/20241001_drop_invoices_legacy_ref.down.sql"},
		DefaultScale: 0.01,
		CIScale:      0.002,
		Variants: []Variant{
			{Name: Unsafe, Config: "rehearse.yaml",
				Summary: "release 1.9 drops legacy_ref",
				Outcome: "fail: previous app's inserts fail (1054); the down loses the data"},
			{Name: Fixed, Config: "rehearse.fixed.yaml",
				Summary: "release 1.9 makes legacy_ref optional; 2.0 drops it",
				Outcome: "pass: previous app unaffected, rollback restores the schema"},
		},
	})
}
