package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/datacache"
	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

func init() { subcommands = append(subcommands, newCacheCmd) }

// The data cache's environment: its folder (default: data/ in the engines'
// cache folder) and its cap (bytes, or with a K/M/G/T suffix).
const (
	dataCacheEnv    = "REHEARSE_DATA_CACHE_DIR"
	cacheMaxSizeEnv = "REHEARSE_CACHE_MAX_SIZE"
)

// noCacheUsage is --no-cache's help on every command that fills a sandbox.
const noCacheUsage = "restore and generate the data even when the data cache holds it, and keep nothing (see rehearse cache; the dsn engine never uses the cache)"

// dataCache is the data cache in $REHEARSE_DATA_CACHE_DIR, else data/ in
// the engines' cache folder ($REHEARSE_CACHE_DIR, else the user cache
// dir), capped by $REHEARSE_CACHE_MAX_SIZE; nil with --no-cache.
func dataCache(noCache bool, log io.Writer) (*datacache.Cache, error) {
	if noCache {
		return nil, nil
	}
	dir := os.Getenv(dataCacheEnv)
	if dir == "" {
		if base := engineConfig(io.Discard).CacheDir; base != "" {
			dir = filepath.Join(base, "data")
		}
	}
	if dir == "" {
		return nil, nil
	}
	c := &datacache.Cache{Dir: dir, Log: log}
	if v := os.Getenv(cacheMaxSizeEnv); v != "" {
		n, err := parseSize(v)
		if err != nil || n <= 0 {
			return nil, rehearse.WithHint(fmt.Errorf("$%s=%q: not a size", cacheMaxSizeEnv, v), "give bytes with an optional K, M, G or T suffix, e.g. 50G")
		}
		c.MaxSize = n
	}
	return c, nil
}

func newCacheCmd(io *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache ls|prune",
		Short: "List or prune the data cache: filled datadirs that later rehearsals start from",
		Long: `After a rehearsal generates its data, the filled datadir is kept (the server shut down
cleanly), keyed by what shapes it: the snapshot's schema, statistics and history, --scale,
--rows, --tables, --seed, the generator's version, the server build (engine, flavor, exact
version, binary or image) and the settings that shape files. The next run, capacity,
scenarios run or sandbox --scale with the same key starts its server on a copy and skips
restore and generate; the report's phases say "from cache (key …)". --no-cache on those
commands does without it. The dsn engine never uses the cache (it has no datadir).

The cache lives in $REHEARSE_DATA_CACHE_DIR, default $REHEARSE_CACHE_DIR/data (that is
~/.cache/rehearse/data), and holds at
most $REHEARSE_CACHE_MAX_SIZE (default: 20 GiB, or a quarter of the space it could use on
its disk when that is less); the least recently used entries go first. An entry is
checked when used (files, settings, row counts and sample checksums); a corrupt one is
removed and rebuilt. See docs/cache.md.`,
		Example: `  rehearse cache ls
  rehearse cache prune --older-than 7d
  rehearse cache prune --max-size 5G
  rehearse cache prune --all`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newCacheLsCmd(io), newCachePruneCmd(io))
	return cmd
}

func newCacheLsCmd(io *ioStreams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the data cache's entries, most recently used first",
		Example: `  rehearse cache ls
  rehearse cache ls --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := dataCache(false, io.ErrOut)
			if err != nil || c == nil {
				return err
			}
			es, err := c.List()
			if err != nil {
				return err
			}
			if asJSON {
				out := []map[string]any{}
				for _, e := range es {
					out = append(out, map[string]any{"id": e.Manifest.ID, "last_used": e.LastUsed.UTC(), "manifest": e.Manifest})
				}
				enc := json.NewEncoder(io.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			printEntries(io.Out, c, es)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print every entry with its manifest as JSON")
	return cmd
}

func printEntries(w io.Writer, c *datacache.Cache, es []*datacache.Entry) {
	var total int64
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tSIZE\tLAST USED\tSERVER\tSCALE\tSEED\tROWS\tSNAPSHOT")
	for _, e := range es {
		m := e.Manifest
		k := m.Key
		total += m.Allocated
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s %s\t%g\t%d\t%d\t%s\n", k.Short(), mysqlkit.BytesSI(m.Allocated), ago(e.LastUsed),
			k.Build.Engine, k.Build.Flavor, m.Server.Version, k.Scale, k.Seed, m.Generation.Rows, k.Snapshot[:12])
	}
	tw.Flush()
	fmt.Fprintf(w, "%d entries, %s in %s\n", len(es), mysqlkit.BytesSI(total), c.Dir)
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func newCachePruneCmd(io *ioStreams) *cobra.Command {
	var olderThan, maxSize string
	var all bool
	cmd := &cobra.Command{
		Use:   "prune [--older-than D] [--max-size S] [--all]",
		Short: "Remove entries from the data cache",
		Long: `Remove entries unused for longer than --older-than, then the least recently used
until the rest fit in --max-size; without either, until they fit in the cache's cap
($REHEARSE_CACHE_MAX_SIZE, default 20 GiB or a quarter of the space the cache could use).
--all removes every entry. Entries being copied by a running rehearsal are kept; build
folders left by killed processes are removed.`,
		Example: `  rehearse cache prune
  rehearse cache prune --older-than 7d
  rehearse cache prune --max-size 5G
  rehearse cache prune --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			age, err := parseAge(olderThan)
			if err != nil {
				return usageError{rehearse.WithHint(fmt.Errorf("--older-than %q: %w", olderThan, err), "give a duration such as 36h or 7d")}
			}
			size, err := parseSize(maxSize)
			if err != nil {
				return usageError{rehearse.WithHint(fmt.Errorf("--max-size %q: %w", maxSize, err), "give bytes with an optional K, M, G or T suffix, e.g. 5G")}
			}
			c, err := dataCache(false, io.ErrOut)
			if err != nil || c == nil {
				return err
			}
			o := datacache.PruneOptions{OlderThan: age, MaxSize: size}
			switch {
			case all:
				o = datacache.PruneOptions{MaxSize: 1}
			case age == 0 && size == 0:
				used, err := c.Size()
				if err != nil {
					return err
				}
				o.MaxSize = c.MaxSize
				if o.MaxSize == 0 {
					o.MaxSize = datacache.DefaultMaxSize(c.Dir, used)
				}
			}
			removed, err := c.Prune(cmd.Context(), o)
			var freed int64
			for _, e := range removed {
				freed += e.Manifest.Allocated
				fmt.Fprintf(io.Out, "removed %s (%s, last used %s)\n", e.Manifest.Key.Short(), mysqlkit.BytesSI(e.Manifest.Allocated), ago(e.LastUsed))
			}
			fmt.Fprintf(io.Out, "%d entries removed, %s freed\n", len(removed), mysqlkit.BytesSI(freed))
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&olderThan, "older-than", "", "remove entries unused for longer than this, e.g. 36h or 7d")
	fs.StringVar(&maxSize, "max-size", "", "then remove the least recently used until the rest fit, e.g. 5G")
	fs.BoolVar(&all, "all", false, "remove every entry")
	cmd.MarkFlagsMutuallyExclusive("all", "older-than")
	cmd.MarkFlagsMutuallyExclusive("all", "max-size")
	return cmd
}

// parseAge is a Go duration, or N days as "Nd".
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("not a duration")
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("not a duration")
	}
	return d, nil
}
