package load

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// ShapeResult is one template run once against the (new) schema.
type ShapeResult struct {
	Template  int // index into the profile's templates
	Kind      Kind
	Schema    string
	Table     string
	SQL       string
	Class     Class  // OK when it ran
	ErrorCode int    // MySQL error number, 0 when it ran
	Error     string // the server's message
	// Warnings are the server's warnings when the statement ran ("1265:
	// Data truncated for column 'state' at row 1"): outside strict mode a
	// shape that no longer fits silently changes data instead of failing.
	Warnings []string
}

// Failed reports whether the shape failed or ran with warnings.
func (r ShapeResult) Failed() bool { return r.Class != OK || len(r.Warnings) > 0 }

// ReplayOptions tune ReplayShapes.
type ReplayOptions struct {
	Seed uint64 // key sampling, and values when neither Load nor Data is set (0 = 1)
	// Load is the generator running beside the check (nil: none). The check
	// then makes its values as the load does and takes its new-row indexes
	// from the same counters, so the rows it inserts (and rolls back) never
	// collide with rows the load inserted.
	Load *Generator
	// Data is the model the tables were generated from when there is no
	// Load (see Options.Data).
	Data *datagen.Model
}

// ReplayShapes runs every template of p once on one connection of db,
// each inside a transaction that is rolled back, and reports how each
// fared: the previous-app compatibility check ("if the app rolls back but
// this migration stays, does anything break?"). Templates are built
// against the pre-release schema; keys are sampled from the tables as they
// are now (a key column the migration dropped leaves no keys: the shape
// then runs with generated values and fails on the column, which is the
// finding). The returned error means the check could not run at all
// (no connection); statement errors are results.
func ReplayShapes(ctx context.Context, db *sql.DB, p *Profile, opts ReplayOptions) ([]ShapeResult, error) {
	if p == nil || len(p.Templates) == 0 {
		return nil, nil
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0xc0de))
	g := &Generator{db: db, tpls: p.Templates, pools: map[poolSpec]*keyPool{}}
	if opts.Load != nil && opts.Load.rows != nil {
		g.rows = opts.Load.rows
	} else {
		g.rows = newRowMaker(db, opts.Data, opts.Seed)
	}
	trows, err := g.rows.prepare(ctx, g.tpls)
	if err != nil {
		return nil, fmt.Errorf("previous-app check: %w", err)
	}
	g.trows = trows
	for _, t := range p.Templates {
		if s := t.pool; s.Columns != "" && g.pools[s] == nil {
			kp := &keyPool{spec: s, max: 100}
			_ = kp.sample(ctx, db, r) // a pool that cannot be read stays empty
			g.pools[s] = kp
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("previous-app check: open a connection: %w", err)
	}
	defer conn.Close()
	out := make([]ShapeResult, 0, len(p.Templates))
	for i := range p.Templates {
		t := &p.Templates[i]
		res := ShapeResult{Template: i, Kind: t.Kind, Schema: t.Schema, Table: t.Table, SQL: t.SQL}
		if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
			return out, fmt.Errorf("previous-app check: %w", err)
		}
		args := g.bind(i, r)
		var runErr error
		if t.Kind == Read {
			var rows *sql.Rows
			if rows, runErr = conn.QueryContext(ctx, t.SQL, args...); runErr == nil {
				for rows.Next() {
				}
				runErr = rows.Err()
				rows.Close()
			}
		} else {
			_, runErr = conn.ExecContext(ctx, t.SQL, args...)
		}
		res.Class = Classify(runErr)
		if runErr != nil {
			res.ErrorCode = mysqlkit.Code(runErr)
			res.Error = runErr.Error()
		} else {
			res.Warnings = SessionWarnings(ctx, conn, false)
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			return out, fmt.Errorf("previous-app check: %w", err)
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out = append(out, res)
	}
	return out, nil
}

// SessionWarnings reads SHOW WARNINGS on conn after a statement, as
// "CODE: message" (the server keeps at most max_error_count); notes
// ("Note 1265 Data truncated" of a rounding ALTER) only when asked.
func SessionWarnings(ctx context.Context, conn *sql.Conn, notes bool) []string {
	rows, err := conn.QueryContext(ctx, "SHOW WARNINGS")
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var level, msg string
		var code int
		if rows.Scan(&level, &code, &msg) == nil && (notes || !strings.EqualFold(level, "Note")) {
			out = append(out, fmt.Sprintf("%d: %s", code, msg))
		}
	}
	return out
}
