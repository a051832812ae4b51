package datagen

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
	"github.com/rehearse/rehearse/snapshot"
)

// droppedIndexes are a table's secondary indexes taken off for the load and
// their exact definitions from SHOW CREATE TABLE, to add back after it.
type droppedIndexes struct {
	p      *tablePlan
	names  []string
	defs   []string
	create string // SHOW CREATE TABLE before, to verify the restore
}

// RebuildMinRows is the row count from which IndexAuto drops plain
// secondary indexes for the load and builds them afterwards (a var so the
// benchmark can move it; see docs/datagen.md for the measurement).
var RebuildMinRows uint64 = 100_000

// wantsRebuild decides the strategy for one table.
func wantsRebuild(s IndexStrategy, p *tablePlan) bool {
	switch s {
	case IndexKeep:
		return false
	case IndexRebuild:
		return true
	}
	return p.rows >= RebuildMinRows
}

// dropSecondary drops the plain (non-unique, B-tree) secondary indexes that
// no foreign key needs; unique indexes stay (they are what the rehearsal is
// about) and so do FULLTEXT and SPATIAL ones.
func dropSecondary(ctx context.Context, conn *sql.Conn, p *tablePlan) (*droppedIndexes, error) {
	var tbl, create string
	if err := conn.QueryRowContext(ctx, fmt.Sprintf("SHOW CREATE TABLE %s.%s", mysqlkit.Quote(p.db), mysqlkit.Quote(p.name))).Scan(&tbl, &create); err != nil {
		return nil, err
	}
	d := &droppedIndexes{p: p, create: create}
	// In CREATE TABLE's order: the snapshot lists indexes by name, and
	// adding them back in another order changes the table's definition.
	ixs := slices.Clone(p.tbl.Indexes)
	slices.SortStableFunc(ixs, func(a, b snapshot.Index) int {
		return cmp.Compare(createPos(create, a), createPos(create, b))
	})
	for _, ix := range ixs {
		if ix.Primary || ix.Unique {
			continue
		}
		if (ix.Type != "" && !strings.EqualFold(ix.Type, "BTREE")) || fkNeeds(p, ix.Name) {
			if len(d.names) > 0 {
				// A kept index after a dropped one: adding the dropped ones
				// back would change the index order. Keep them all.
				return nil, nil
			}
			continue
		}
		def := indexLine(create, ix.Name)
		if def == "" {
			continue
		}
		d.names = append(d.names, ix.Name)
		d.defs = append(d.defs, def)
	}
	if len(d.names) == 0 {
		return nil, nil
	}
	parts := make([]string, len(d.names))
	for i, n := range d.names {
		parts[i] = "DROP INDEX " + mysqlkit.Quote(n)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s.%s %s", mysqlkit.Quote(p.db), mysqlkit.Quote(p.name), strings.Join(parts, ", "))); err != nil {
		return nil, fmt.Errorf("drop secondary indexes of %s for the load: %w", p.qname(), err)
	}
	return d, nil
}

// restore adds the dropped indexes back in one ALTER (one pass over the
// table builds them all).
func (d *droppedIndexes) restore(ctx context.Context, db *sql.DB) error {
	if d == nil {
		return nil
	}
	parts := make([]string, len(d.defs))
	for i, def := range d.defs {
		parts[i] = "ADD " + def
	}
	_, err := db.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s.%s %s", mysqlkit.Quote(d.p.db), mysqlkit.Quote(d.p.name), strings.Join(parts, ", ")))
	if err != nil {
		return fmt.Errorf("add back secondary indexes of %s: %w", d.p.qname(), err)
	}
	var tbl, create string
	if err := db.QueryRowContext(ctx, fmt.Sprintf("SHOW CREATE TABLE %s.%s", mysqlkit.Quote(d.p.db), mysqlkit.Quote(d.p.name))).Scan(&tbl, &create); err != nil {
		return err
	}
	if stripAutoInc(create) != stripAutoInc(d.create) {
		return fmt.Errorf("secondary indexes of %s were added back but SHOW CREATE TABLE differs from before the load", d.p.qname())
	}
	return nil
}

var reAutoInc = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

func stripAutoInc(s string) string { return reAutoInc.ReplaceAllString(s, "") }

// createPos is where index ix is defined in CREATE TABLE text: the primary
// key first, an index the text lacks last. Unlike indexLine it finds every
// kind ("UNIQUE KEY", "FULLTEXT KEY" too): the order of all of them counts.
func createPos(create string, ix snapshot.Index) int {
	if ix.Primary {
		return -1
	}
	if i := strings.Index(create, "KEY "+mysqlkit.Quote(ix.Name)+" "); i >= 0 {
		return i
	}
	return len(create)
}

// indexLine finds "KEY `name` (...)..." in CREATE TABLE text.
func indexLine(create, name string) string {
	want := "KEY " + mysqlkit.Quote(name) + " "
	for _, line := range strings.Split(create, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, want) {
			return strings.TrimSuffix(l, ",")
		}
	}
	return ""
}

// fkNeeds reports whether index name is the one backing a foreign key (its
// leading columns are the foreign key's columns).
func fkNeeds(p *tablePlan, name string) bool {
	for _, ix := range p.tbl.Indexes {
		if ix.Name != name {
			continue
		}
		for _, fk := range p.tbl.ForeignKeys {
			if len(ix.Columns) < len(fk.Columns) {
				continue
			}
			match := true
			for i, c := range fk.Columns {
				if !strings.EqualFold(ix.Columns[i].Name, c) {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}
