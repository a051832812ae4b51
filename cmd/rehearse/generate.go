package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/rehearse/engine"
	"github.com/rehearse/rehearse/rehearse/guard"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/rehearse/restore"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newGenerateCmd) }

type generateOptions struct {
	io           *ioStreams
	Snapshot     string
	DSN          string
	Scale        float64
	Rows         []string
	Tables       []string
	Seed         uint64
	Parallel     int
	SchemaMap    []string
	Truncate     bool
	Insert       bool
	Indexes      string
	KeepTriggers bool
	JSON         bool
}

func newGenerateCmd(io *ioStreams) *cobra.Command {
	opts := &generateOptions{io: io}
	cmd := &cobra.Command{
		Use:   "generate --snapshot FILE --dsn DSN [--scale X] [--rows table=N ...] [--tables a,b] [--seed N]",
		Short: "Fill a server whose schema matches a snapshot with production-scale synthetic rows",
		Long: `Fill the tables of a server whose schema matches the snapshot with synthetic rows:
the snapshot's row counts × --scale (per table: --rows), every key and foreign key
holding, values following the snapshot's statistics (NULL share, distinct counts,
ranges, lengths) and realistic where a column's name says what it holds. No
production row is read or copied.

The same snapshot, options and --seed give the same rows. Rows are streamed with
LOAD DATA LOCAL INFILE (multi-row INSERTs when the server has local_infile=OFF),
several tables at a time. The server's tables must match the snapshot and be empty
(--truncate empties them); otherwise nothing is written and the differences are
listed. The migration history tables are left alone (their rows are production's
history, as rehearse sandbox --snapshot restores it) unless --tables names them. Triggers on the tables are dropped for the load and re-created after it.

Put the password in $REHEARSE_TARGET_DSN rather than on the command line (never
$REHEARSE_DSN: that names the snapshot's source). The target must not be the
snapshot's source nor replicate from it (docs/security.md).`,
		Example: `  rehearse generate --snapshot prod.json --dsn 'root@tcp(127.0.0.1:3306)/' --scale 0.1
  rehearse generate --snapshot prod.json --dsn "$DSN" --rows orders=500000 --tables orders,customers --seed 7
  rehearse generate --snapshot prod.json --dsn "$DSN" --schema-map app=app_copy --truncate --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.DSN == "" {
				opts.DSN = os.Getenv(targetDSNEnv)
			}
			if opts.Snapshot == "" || opts.DSN == "" {
				return usageError{errors.New("--snapshot and --dsn (or $REHEARSE_TARGET_DSN) are required")}
			}
			if err := checkScale("--scale", opts.Scale); err != nil {
				return err
			}
			if opts.Parallel < 0 {
				return usageError{errors.New("--parallel must not be negative")}
			}
			switch opts.Indexes {
			case "auto", "keep", "rebuild":
			default:
				return usageError{fmt.Errorf("--indexes %q: use auto, keep or rebuild", opts.Indexes)}
			}
			return generateRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Snapshot, "snapshot", "", snapshotUsage)
	f.StringVar(&opts.DSN, "dsn", "", "server to fill, user:password@tcp(host:port)/ (default $REHEARSE_TARGET_DSN)")
	f.Float64Var(&opts.Scale, "scale", 1, "multiply the snapshot's row counts")
	f.StringArrayVar(&opts.Rows, "rows", nil, rowsUsage)
	f.StringSliceVar(&opts.Tables, "tables", nil, "only these tables (comma-separated; foreign keys to others use their existing rows)")
	f.Uint64Var(&opts.Seed, "seed", 0, "seed: the same seed gives the same rows")
	f.IntVar(&opts.Parallel, "parallel", 2, "tables loaded at once")
	f.StringArrayVar(&opts.SchemaMap, "schema-map", nil, "fill snapshot schema S into database D on the server, S=D (repeatable)")
	f.BoolVar(&opts.Truncate, "truncate", false, "empty tables that already hold rows instead of refusing")
	f.BoolVar(&opts.Insert, "insert", false, "use multi-row INSERTs even when LOAD DATA LOCAL is allowed")
	f.StringVar(&opts.Indexes, "indexes", "auto", "secondary indexes during the load: auto, keep, or rebuild (drop, load, add back)")
	f.BoolVar(&opts.KeepTriggers, "keep-triggers", false, "leave triggers in place (they fire for every generated row)")
	f.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	return cmd
}

func generateRun(ctx context.Context, opts *generateOptions) error {
	snap, err := snapshot.LoadFile(opts.Snapshot)
	if err != nil {
		return err
	}
	o := datagen.Options{Scale: opts.Scale, Tables: opts.Tables, Seed: opts.Seed, Parallel: opts.Parallel,
		Truncate: opts.Truncate, Insert: opts.Insert, KeepTriggers: opts.KeepTriggers}
	if len(o.Tables) == 0 {
		// The migration history tables hold production's history (restored
		// as they are by rehearse sandbox --snapshot), not data to make up:
		// left alone, as sandbox --scale and rehearse run leave them.
		o.Tables = restore.DataTables(snap)
		for _, h := range snap.History {
			fmt.Fprintf(opts.io.ErrOut, "rehearse: left alone: %s.%s, %s's migration history (name it in --tables to fill it)\n", h.Schema, h.Table, h.Runner)
		}
	}
	if opts.Indexes != "auto" {
		o.IndexStrategy = datagen.IndexStrategy(opts.Indexes)
	}
	if o.Rows, err = parseRowsFlag(opts.Rows); err != nil {
		return err
	}
	if o.Schemas, err = parseSchemaMap(opts.SchemaMap); err != nil {
		return err
	}
	db, passwd, err := openTarget(opts.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	// generate writes into an existing server: never production.
	if err := guard.Check(ctx, db, snap.Source); err != nil {
		if passwd != "" {
			err = scrubPassword(err, passwd)
		}
		return err
	}
	prog := newProgressPrinter(opts.io.ErrOut, opts.io.ErrOutIsTTY)
	o.Progress = prog.update
	res, err := datagen.Generate(ctx, db, snap, o)
	prog.finish()
	if err != nil {
		if passwd != "" {
			err = scrubPassword(err, passwd)
		}
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printGenerateResult(opts.io.Out, res)
	for _, n := range res.Notes {
		fmt.Fprintf(opts.io.ErrOut, "note: %s\n", n)
	}
	return nil
}

// parseSchemaMap reads repeated --schema-map S=D.
func parseSchemaMap(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, a := range list {
		from, to, ok := strings.Cut(a, "=")
		if !ok || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return nil, usageError{fmt.Errorf("--schema-map %q: write snapshot_schema=server_database", a)}
		}
		out[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return out, nil
}

// openTarget opens the DSN for loading: enough connections for the
// parallel streams, local infile allowed (readers only: no file is read).
func openTarget(dsn string) (*sql.DB, string, error) {
	cfg, err := engine.ParseUserDSN(dsn)
	if err != nil {
		return nil, "", rehearse.WithHint(errors.New("--dsn: cannot read the DSN (not shown: it may hold a password)"),
			"write it as user:password@tcp(host:3306)/ or mysql://user:password@host:3306/")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxAllowedPacket == 0 {
		cfg.MaxAllowedPacket = 16 << 20
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("--dsn: %w", err)
	}
	return sql.OpenDB(connector), cfg.Passwd, nil
}

func printGenerateResult(w io.Writer, res datagen.Result) {
	tables := append([]datagen.TableResult(nil), res.Tables...)
	sort.Slice(tables, func(i, j int) bool { return tables[i].Rows > tables[j].Rows })
	fmt.Fprintf(w, "generated %s rows in %d tables in %s (%s rows/s, %s)\n", mysqlkit.Thousands(res.Rows), len(tables),
		res.Elapsed.Round(10*time.Millisecond), mysqlkit.Thousands(int64(res.RowsPerSec())), res.Method)
	for _, t := range tables {
		rate := ""
		if t.Elapsed > 0 && t.Rows > 0 {
			rate = mysqlkit.Thousands(int64(float64(t.Rows)/t.Elapsed.Seconds())) + " rows/s"
		}
		fmt.Fprintf(w, "  %-40s %12s rows  %8s  %s\n", t.Schema+"."+t.Table, mysqlkit.Thousands(t.Rows), t.Elapsed.Round(10*time.Millisecond), rate)
	}
}

// progressPrinter shows generation progress on stderr: a redrawn block per
// table plus a total line on a terminal, nothing until the end otherwise
// (the summary then says it all in one line).
type progressPrinter struct {
	w     io.Writer
	tty   bool
	lines int
	last  datagen.Progress
}

func newProgressPrinter(w io.Writer, tty bool) *progressPrinter {
	return &progressPrinter{w: w, tty: tty}
}

// maxProgressTables bounds the block on screen (busiest tables first).
const maxProgressTables = 8

func (p *progressPrinter) update(pr datagen.Progress) {
	p.last = pr
	if !p.tty {
		return
	}
	var b strings.Builder
	if p.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.lines)
	}
	tables := append([]datagen.TableProgress(nil), pr.Tables...)
	rank := map[string]int{"loading": 0, "indexing": 1, "waiting": 2, "failed": 3, "done": 4}
	sort.SliceStable(tables, func(i, j int) bool { return rank[tables[i].State] < rank[tables[j].State] })
	n := 0
	for _, t := range tables {
		if n == maxProgressTables {
			break
		}
		rate := 0.0
		if t.Elapsed > 0 {
			rate = float64(t.Rows) / t.Elapsed.Seconds()
		}
		eta := ""
		if t.State == "loading" && rate > 0 && t.Total > t.Rows {
			eta = "ETA " + (time.Duration(float64(t.Total-t.Rows)/rate) * time.Second).Round(time.Second).String()
		}
		fmt.Fprintf(&b, "\x1b[2K  %-32s %-8s %s %12s/%-12s %9s rows/s %s\n", trimName(t.Table, 32), t.State, bar(t.Rows, t.Total, 20),
			mysqlkit.Thousands(t.Rows), mysqlkit.Thousands(t.Total), mysqlkit.Thousands(int64(rate)), eta)
		n++
	}
	eta := ""
	if d := pr.ETA(); d > 0 {
		eta = "ETA " + d.Round(time.Second).String()
	}
	fmt.Fprintf(&b, "\x1b[2K  %-32s %-8s %s %12s/%-12s %9s rows/s %s\n", "total", "", bar(pr.Rows, pr.Total, 20),
		mysqlkit.Thousands(pr.Rows), mysqlkit.Thousands(pr.Total), mysqlkit.Thousands(int64(pr.RowsPerSec())), eta)
	p.lines = n + 1
	io.WriteString(p.w, b.String())
}

func (p *progressPrinter) finish() {
	if p.tty || p.last.Total == 0 {
		return
	}
	fmt.Fprintf(p.w, "generate: %s of %s rows in %s (%s rows/s)\n", mysqlkit.Thousands(p.last.Rows), mysqlkit.Thousands(p.last.Total),
		p.last.Elapsed.Round(10*time.Millisecond), mysqlkit.Thousands(int64(p.last.RowsPerSec())))
}

func bar(n, total int64, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat(" ", width) + "]"
	}
	f := min(width, int(float64(n)/float64(total)*float64(width)))
	return "[" + strings.Repeat("#", f) + strings.Repeat(".", width-f) + "]"
}

func trimName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n+1:]
}
