package scenarios

func init() {
	register(Scenario{
		Name:  "cherry-picked-migration",
		Order: 3,
		Title: "A migration cherry-picked from a future release",
		Story: "a hotfix migration cherry-picked from main references a column only main's release adds: it passes on staging's snapshot and fails on production's",
		Incident: "A migration that worked in staging fails in production because the environments differ: " +
			"staging is deployed from the main branch and already has the schema of the next release. " +
			"The same class of failure as privacyIDEA's partial re-run (`1054 Unknown column`) and the " +
			"out-of-order and drift cases the snapshot diff reports (DESIGN.md, \"The problem\").",
		Sources: []string{
			"https://github.com/privacyidea/privacyidea/issues/1453",
			"https://github.com/golang-migrate/migrate/issues/282",
		},
		Look: []string{
			"unsafe (production): 20240415#1 fails with error 1054, Unknown column 'loyalty_tier'",
			"staging: the same migrations pass",
			"`rehearse diff production.json staging.json` (after `rehearse scenarios export`): staging has customers.loyalty_tier and history 20240410, production has neither; staging has a thousand customers",
			"fixed: the hotfix carries 20240410 too, and passes on production",
		},
		Extra:        []string{"staging.json"},
		DefaultScale: 0.01,
		CIScale:      0.001,
		Variants: []Variant{
			{Name: Unsafe, Config: "rehearse.yaml",
				Summary: "the hotfix on production's snapshot",
				Outcome: "fail: 20240415 fails with 1054 (unknown column loyalty_tier)"},
			{Name: "staging", Config: "rehearse.staging.yaml",
				Summary: "the same hotfix on staging's snapshot",
				Outcome: "pass: staging already has loyalty_tier"},
			{Name: Fixed, Config: "rehearse.fixed.yaml",
				Summary: "the hotfix carries 20240410, the migration 20240415 depends on",
				Outcome: "pass: both migrations apply on production"},
		},
	})
}
