package load_test

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/snapshot"
)

// shopSnapshot is a pre-release schema written by hand: shop.orders (an
// auto-increment key, a generated column), shop.events (no key at all).
func shopSnapshot() *snapshot.Snapshot {
	col := func(name, dataType, typ, extra string, nullable bool) snapshot.Column {
		return snapshot.Column{Name: name, DataType: dataType, Type: typ, Extra: extra, Nullable: nullable}
	}
	orders := snapshot.Table{Name: "orders",
		Columns: []snapshot.Column{
			col("id", "bigint", "bigint unsigned", "auto_increment", false),
			col("customer_id", "int", "int", "", false),
			col("status", "varchar", "varchar(16)", "", false),
			col("total", "decimal", "decimal(10,2)", "", false),
			col("total_cents", "bigint", "bigint", "VIRTUAL GENERATED", true),
		},
		Indexes: []snapshot.Index{
			{Name: "PRIMARY", Primary: true, Columns: []snapshot.IndexColumn{{Name: "id"}}},
			{Name: "idx_customer", Columns: []snapshot.IndexColumn{{Name: "customer_id"}}},
		},
	}
	orders.Columns[4].Generated = "total * 100"
	events := snapshot.Table{Name: "events", Columns: []snapshot.Column{col("msg", "varchar", "varchar(64)", "", true)}}
	return &snapshot.Snapshot{Schemas: []snapshot.Schema{{Name: "shop", Tables: []snapshot.Table{orders, events}}}}
}

const goodProfile = `format: rehearse.load-profile/v1
rate: 300
connections_per_table: 4
operations:
  - table: orders
    kind: insert
    weight: 40
  - table: shop.orders
    kind: update-by-pk
    columns: [status, total]
    weight: 30
  - table: orders
    kind: delete-by-pk
    weight: 5
  - table: orders
    kind: point-read
    columns: [status]
    weight: 20
  - statement: "UPDATE ` + "`orders`" + ` SET ` + "`status`" + ` = ? WHERE ` + "`customer_id`" + ` = ?"
    digest: abc123
    weight: 5
  - table: events
    kind: insert
`

func TestProfileFileBuilds(t *testing.T) {
	f, err := load.ParseProfile([]byte(goodProfile), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Rate != 300 || f.ConnectionsPerTable != 4 || len(f.Operations) != 6 || !strings.HasPrefix(f.Digest, "sha256:") {
		t.Fatalf("parsed %+v", f)
	}
	if f.Operations[5].Weight != 1 || f.Operations[1].Line != 8 {
		t.Errorf("operation 6 weight %g (want 1 when left out), operation 2 line %d (want 8)", f.Operations[5].Weight, f.Operations[1].Line)
	}
	p, err := f.Profile(shopSnapshot(), load.BuildOptions{Schema: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"INSERT INTO `shop`.`orders` (`customer_id`, `status`, `total`) VALUES (?, ?, ?)",
		"UPDATE `shop`.`orders` SET `status` = ?, `total` = ? WHERE `id` = ?",
		"DELETE FROM `shop`.`orders` WHERE `id` = ?",
		"SELECT `status` FROM `shop`.`orders` WHERE `id` = ?",
		"UPDATE `shop`.`orders` SET `status` = ? WHERE `customer_id` = ?",
		"INSERT INTO `shop`.`events` (`msg`) VALUES (?)",
	}
	if len(p.Templates) != len(want) {
		t.Fatalf("%d templates, want %d", len(p.Templates), len(want))
	}
	for i, w := range want {
		if p.Templates[i].SQL != w {
			t.Errorf("operation %d:\n got %s\nwant %s", i+1, p.Templates[i].SQL, w)
		}
	}
	if p.Rate != 300 || p.Templates[0].Weight != 40 || p.Templates[4].Digest != "abc123" {
		t.Errorf("rate %g, weights/digest %+v", p.Rate, p.Templates)
	}

	// A scratch database on the server: the same profile, the server's name.
	p, err = f.Profile(shopSnapshot(), load.BuildOptions{Schema: "shop", Rename: map[string]string{"shop": "rh_scratch"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Templates[2].SQL; got != "DELETE FROM `rh_scratch`.`orders` WHERE `id` = ?" {
		t.Errorf("renamed: %s", got)
	}
}

// Each bad input is refused with the file, the line, what is wrong and what
// to do.
func TestProfileFileErrors(t *testing.T) {
	ops := func(body string) string {
		return "format: rehearse.load-profile/v1\noperations:\n" + body
	}
	for _, c := range []struct {
		name, in string
		want     []string // fragments of the message
	}{
		{"not yaml", "format: [oops", []string{"bad.yaml", "not a YAML or JSON"}},
		{"no format", "rate: 3\noperations:\n  - table: orders\n    kind: insert\n", []string{"bad.yaml:1", "no format"}},
		{"future format", "format: rehearse.load-profile/v2\nfancy: true\n", []string{"bad.yaml:1", `format "rehearse.load-profile/v2"`, "rehearse.load-profile/v1"}},
		{"negative rate", "format: rehearse.load-profile/v1\nrate: -5\noperations:\n  - table: orders\n    kind: insert\n", []string{"bad.yaml:2", "rate -5"}},
		{"rate not a number", "format: rehearse.load-profile/v1\nrate: fast\noperations:\n  - table: orders\n    kind: insert\n", []string{"bad.yaml:2", "rate fast"}},
		{"unknown top key", "format: rehearse.load-profile/v1\nthreads: 3\n", []string{"bad.yaml:2", `unknown key "threads"`}},
		{"no operations", "format: rehearse.load-profile/v1\nrate: 5\n", []string{"no operations"}},
		{"unknown kind", ops("  - table: orders\n    kind: upsert\n"), []string{"bad.yaml:3", "operation 1", `unknown kind "upsert"`, "update-by-pk"}},
		{"no kind", ops("  - table: orders\n"), []string{"bad.yaml:3", "no kind"}},
		{"typo in a key", ops("  - table: orders\n    kind: update-by-pk\n    colums: [status]\n"), []string{"bad.yaml:5", `unknown key "colums"`}},
		{"negative weight", ops("  - table: orders\n    kind: insert\n    weight: -1\n"), []string{"bad.yaml:5", "weight -1"}},
		{"all weights zero", ops("  - table: orders\n    kind: insert\n    weight: 0\n"), []string{"weight 0"}},
		{"statement and table", ops("  - table: orders\n    statement: DELETE FROM orders WHERE id = ?\n"), []string{"bad.yaml:3", "either statement"}},
		{"join statement", ops("  - statement: SELECT o.id FROM orders o JOIN events e ON e.msg = o.status WHERE o.id = ?\n"), []string{"bad.yaml:3", "single-table"}},
		{"delete with columns", ops("  - table: orders\n    kind: delete-by-pk\n    columns: [status]\n"), []string{"bad.yaml:3", "takes no columns"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load.ParseProfile([]byte(c.in), "bad.yaml")
			if err == nil {
				t.Fatalf("accepted:\n%s", c.in)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if rehearse.Hint(err) == "" {
				t.Errorf("error %q has no hint", err)
			}
		})
	}
}

// Names are checked against the snapshot: the message says which table or
// column, where in the file, and what the snapshot has instead.
func TestProfileFileAgainstSnapshot(t *testing.T) {
	for _, c := range []struct {
		name, ops string
		want      []string
		hint      string
	}{
		{"unknown table", "  - table: order\n    kind: insert\n", []string{"bad.yaml:3", "table shop.order is not in the snapshot"}, "orders, events"},
		{"unknown database", "  - table: crm.contacts\n    kind: insert\n", []string{"bad.yaml:3", "crm.contacts"}, "no database crm"},
		{"unknown column", "  - table: orders\n    kind: update-by-pk\n    columns: [state]\n", []string{"bad.yaml:3", "column state is not in shop.orders"}, "status"},
		{"unknown column in a statement", "  - statement: SELECT `id` FROM `orders` WHERE `code` = ?\n", []string{"bad.yaml:3", "column code"}, "customer_id"},
		{"generated column", "  - table: orders\n    kind: insert\n    columns: [customer_id, total_cents]\n", []string{"total_cents", "generated"}, "leave total_cents out"},
		{"no key", "  - table: events\n    kind: delete-by-pk\n", []string{"bad.yaml:3", "shop.events has no primary key"}, "insert"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := load.ParseProfile([]byte("format: rehearse.load-profile/v1\noperations:\n"+c.ops), "bad.yaml")
			if err != nil {
				t.Fatalf("syntax: %v", err)
			}
			_, err = f.Profile(shopSnapshot(), load.BuildOptions{Schema: "shop"})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if h := rehearse.Hint(err); !strings.Contains(h, c.hint) {
				t.Errorf("hint %q does not mention %q", h, c.hint)
			}
		})
	}
}

// A profile written from the default mix or from digests reads back into
// the same statements with the same shares: what `rehearse load-profile`
// writes is what the run would have run.
func TestProfileFileRoundTrip(t *testing.T) {
	snap := shopSnapshot()
	sc := &snap.Schemas[0]
	def, err := load.DefaultProfile([]load.TableLoad{{Schema: "shop", Table: &sc.Tables[0], Weight: 3}, {Schema: "shop", Table: &sc.Tables[1]}}, load.Mix{})
	if err != nil {
		t.Fatal(err)
	}
	snap.Digests = []snapshot.Digest{
		{Schema: "shop", Digest: "d1", Count: 900, Text: "INSERT INTO `orders` ( `customer_id` , `status` , `total` ) VALUES (...)"},
		{Schema: "shop", Digest: "d2", Count: 100, Text: "SELECT `status` FROM `shop` . `orders` WHERE `id` = ?"},
	}
	dig, _, err := load.ProfileFromDigests(snap, load.DigestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*load.Profile{"default": def, "digests": dig} {
		t.Run(name, func(t *testing.T) {
			b, err := load.FileFromProfile(p, load.FileOptions{Schema: "shop", Rate: 250, ConnectionsPerTable: 6}).YAML("written by a test\n")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), "# written by a test\nformat: rehearse.load-profile/v1\n") {
				t.Errorf("file starts:\n%s", b)
			}
			f, err := load.ParseProfile(b, "written.yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			back, err := f.Profile(snap, load.BuildOptions{Schema: "shop"})
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			if f.Rate != 250 || f.ConnectionsPerTable != 6 || len(back.Templates) != len(p.Templates) {
				t.Fatalf("read back rate %g, conns %d, %d templates; want 250, 6, %d\n%s", f.Rate, f.ConnectionsPerTable, len(back.Templates), len(p.Templates), b)
			}
			var total, totalBack float64
			for i := range p.Templates {
				total += p.Templates[i].Weight
				totalBack += back.Templates[i].Weight
			}
			for i := range p.Templates {
				a, z := p.Templates[i], back.Templates[i]
				if a.SQL != z.SQL || a.Kind != z.Kind || a.Digest != z.Digest {
					t.Errorf("template %d: %s (%s) came back as %s (%s)", i, a.SQL, a.Digest, z.SQL, z.Digest)
				}
				if s, sb := a.Weight/total, z.Weight/totalBack; s-sb > 1e-3 || sb-s > 1e-3 {
					t.Errorf("template %d: share %.4f came back as %.4f", i, s, sb)
				}
			}
		})
	}
}
