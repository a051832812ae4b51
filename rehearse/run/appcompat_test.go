package run

import (
	"testing"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/snapshot"
)

// A previous-app shape counts as broken by the release only when the
// release is what it trips on. Found by the default app-compat gate on
// cmd's shop fixture: the old app's DELETE of a customer with orders
// failed with 1451 on fk_customer, a foreign key production already has
// (the same DELETE fails before the release): a false failure.
func TestReleaseBroke(t *testing.T) {
	r := &rehearsal{pre: &schemaState{Tables: []snapshot.Table{{
		Name:        "orders",
		Indexes:     []snapshot.Index{{Name: "uq_ref", Unique: true}},
		ForeignKeys: []snapshot.ForeignKey{{Name: "fk_customer"}},
		Checks:      []snapshot.Check{{Name: "ck_total"}},
	}, {
		Name:        "payments",
		ForeignKeys: []snapshot.ForeignKey{{Name: "fk_order", Columns: []string{"order_id"}, RefTable: "orders", RefColumns: []string{"id"}}},
	}}}}
	for _, tc := range []struct {
		sh   load.ShapeResult
		want bool
	}{
		{load.ShapeResult{Class: load.SchemaMismatch, ErrorCode: 1054, Error: "Error 1054 (42S22): Unknown column 'note' in 'field list'"}, true},
		{load.ShapeResult{Class: load.OK, Warnings: []string{"1265: Data truncated for column 'state' at row 1"}}, true},
		{load.ShapeResult{Class: load.Other, ErrorCode: 1451, Error: "Error 1451 (23000): Cannot delete or update a parent row: a foreign key constraint fails (`shop`.`orders`, CONSTRAINT `fk_customer` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`))"}, false},
		{load.ShapeResult{Class: load.Other, ErrorCode: 1451, Error: "Error 1451 (23000): Cannot delete or update a parent row: a foreign key constraint fails (`shop`.`orders`, CONSTRAINT `fk_new` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`))"}, true},
		// pt-online-schema-change renames the foreign keys of the table it
		// rebuilds (fk_order → _fk_order): the same key, the same failure
		// before the release (rehearse compare's pt-osc runs of the shop
		// fixture failed app-compat on it at random).
		{load.ShapeResult{Class: load.Other, ErrorCode: 1451, Error: "Error 1451 (23000): Cannot delete or update a parent row: a foreign key constraint fails (`shop`.`payments`, CONSTRAINT `_fk_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`))"}, false},
		{load.ShapeResult{Class: load.Other, ErrorCode: 1452, Error: "Error 1452 (23000): Cannot add or update a child row: a foreign key constraint fails (`shop`.`payments`, CONSTRAINT `__fk_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`))"}, false},
		{load.ShapeResult{Class: load.Other, ErrorCode: 1452, Error: "Error 1452 (23000): Cannot add or update a child row: a foreign key constraint fails (`shop`.`payments`, CONSTRAINT `fk_payer` FOREIGN KEY (`payer_id`) REFERENCES `customers` (`id`))"}, true},
		{load.ShapeResult{Class: load.Other, ErrorCode: 1062, Error: "Error 1062 (23000): Duplicate entry 'x' for key 'orders.uq_ref'"}, false},
		{load.ShapeResult{Class: load.Other, ErrorCode: 1062, Error: "Error 1062 (23000): Duplicate entry 'x' for key 'uq_added'"}, true},
		{load.ShapeResult{Class: load.Other, ErrorCode: 3819, Error: "Error 3819 (HY000): Check constraint 'ck_total' is violated."}, false},
		{load.ShapeResult{Class: load.Other, ErrorCode: 4025, Error: "Error 4025 (23000): CONSTRAINT `ck_new` failed for `shop`.`orders`"}, true},
		{load.ShapeResult{Class: load.LockWait, ErrorCode: 1205, Error: "Error 1205 (HY000): Lock wait timeout exceeded"}, false},
	} {
		if got := r.releaseBroke(tc.sh); got != tc.want {
			t.Errorf("%s: releaseBroke = %v, want %v", tc.sh.Error+tc.sh.Class.String(), got, tc.want)
		}
	}
}
