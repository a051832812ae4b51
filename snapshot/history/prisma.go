package history

import "context"

// prisma reads Prisma Migrate's _prisma_migrations: one row per attempt.
// A row with finished_at set and rolled_back_at NULL is an applied
// migration; a row rolled back (prisma migrate resolve --rolled-back) is
// not applied and is skipped; a row neither finished nor rolled back is a
// failed migration (Failed: prisma migrate deploy refuses to go on, P3009).
type prisma struct{}

func init() { Register(prisma{}) }

func (prisma) Runner() string { return "prisma" }
func (prisma) Table() string  { return "_prisma_migrations" }

func (prisma) Fits(s Shape) bool {
	return s.Has("id", "checksum", "finished_at", "migration_name", "rolled_back_at", "started_at", "applied_steps_count")
}

func (prisma) Read(ctx context.Context, q Querier, schema, table string) ([]Entry, error) {
	rows, err := readTable(ctx, q, schema, table, "`started_at`, `id`",
		"migration_name", "checksum", "finished_at", "rolled_back_at", "started_at")
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range rows {
		if r[3].Valid { // rolled back: not applied
			continue
		}
		e := Entry{Version: str(r[0]), Checksum: str(r[1]), AppliedAt: parseTime(r[2])}
		if !r[2].Valid {
			e.Failed, e.AppliedAt = true, parseTime(r[4])
		}
		out = append(out, e)
	}
	return out, nil
}
