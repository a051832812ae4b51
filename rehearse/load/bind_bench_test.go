package load

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rehearse/rehearse/rehearse/datagen"
	"github.com/rehearse/rehearse/snapshot"
)

// benchTables is the load tests' table d.t (an AUTO_INCREMENT key, a
// foreign key, a decimal, a unique string, an ENUM, a nullable text, a
// datetime, a generated column) and its parent d.p, as a snapshot.
func benchTables() *snapshot.Snapshot {
	col := func(name, typ, dt string, nullable bool) snapshot.Column {
		return snapshot.Column{Name: name, Type: typ, DataType: dt, Nullable: nullable, Charset: "utf8mb4"}
	}
	i64 := func(v int64) *int64 { return &v }
	p := snapshot.Table{Name: "p", Columns: []snapshot.Column{col("id", "int", "int", false), col("name", "varchar(20)", "varchar", false)},
		Indexes: []snapshot.Index{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []snapshot.IndexColumn{{Name: "id"}}}},
		Stats:   snapshot.TableStats{Rows: 3}}
	t := snapshot.Table{Name: "t", Columns: []snapshot.Column{
		col("id", "bigint unsigned", "bigint", false), col("p_id", "int", "int", false), col("amount", "decimal(14,2)", "decimal", false),
		col("code", "varchar(40)", "varchar", false), col("state", "enum('new','paid','void')", "enum", false),
		col("note", "text", "text", true), col("created", "datetime", "datetime", false), col("amount2", "decimal(15,2)", "decimal", true)},
		Indexes: []snapshot.Index{{Name: "PRIMARY", Primary: true, Unique: true, Columns: []snapshot.IndexColumn{{Name: "id"}}},
			{Name: "code", Unique: true, Columns: []snapshot.IndexColumn{{Name: "code"}}}},
		ForeignKeys: []snapshot.ForeignKey{{Name: "fk_p", Columns: []string{"p_id"}, RefTable: "p", RefColumns: []string{"id"}}},
		Stats:       snapshot.TableStats{Rows: 100000}}
	t.Columns[0].Extra = "auto_increment"
	t.Columns[2].NumericPrecision, t.Columns[2].NumericScale = i64(14), i64(2)
	t.Columns[3].CharMaxLength = i64(40)
	t.Columns[7].Generated = "amount * 2"
	return &snapshot.Snapshot{Format: snapshot.FormatV1, CreatedAt: time.Now(), Settings: map[string]string{},
		Schemas: []snapshot.Schema{{Name: "d", Tables: []snapshot.Table{p, t}}}}
}

// BenchmarkBindInsert measures what one insert of d.t costs the load
// before the server sees it: a new row's values from datagen's RowSource
// (a fresh index from the table's counter) bound to the template's
// placeholders. At 41eb757 the same benchmark run compared RowSource with
// valueFor, the temporary per-type function it replaced (docs/datagen.md).
func BenchmarkBindInsert(b *testing.B) {
	m, err := datagen.NewModel(context.Background(), nil, benchTables(), datagen.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	snap := benchTables()
	p, err := DefaultProfile([]TableLoad{{Schema: "d", Table: snap.Table("d", "t")}}, Mix{Insert: 1})
	if err != nil {
		b.Fatal(err)
	}
	g := &Generator{tpls: p.Templates, pools: map[poolSpec]*keyPool{}, rows: newRowMaker(nil, m, 1)}
	if g.trows, err = g.rows.prepare(context.Background(), g.tpls); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g.bind(0, r)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
}
