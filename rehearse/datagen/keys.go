package datagen

import (
	"sort"
	"strings"
)

// uniqueKey is a PRIMARY KEY or UNIQUE index in column indices.
type uniqueKey struct {
	name    string
	primary bool
	cols    []int
	expr    bool // has a functional key part: cannot be guaranteed
}

func (p *tablePlan) uniqueKeys() []uniqueKey {
	var keys []uniqueKey
	for _, ix := range p.tbl.Indexes {
		if !ix.Primary && !ix.Unique {
			continue
		}
		t := strings.ToUpper(ix.Type)
		if t == "FULLTEXT" || t == "SPATIAL" {
			continue
		}
		k := uniqueKey{name: ix.Name, primary: ix.Primary}
		for _, ic := range ix.Columns {
			if ic.Expression != "" || ic.Name == "" {
				k.expr = true
				continue
			}
			ci := p.colIndex(ic.Name)
			if ci < 0 {
				k.expr = true
				continue
			}
			k.cols = append(k.cols, ci)
			if ic.SubPart > 0 && (p.cols[ci].prefix == 0 || int64(ic.SubPart) < p.cols[ci].prefix) {
				p.cols[ci].prefix = int64(ic.SubPart)
			}
		}
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].primary != keys[j].primary {
			return keys[i].primary
		}
		return len(keys[i].cols) < len(keys[j].cols)
	})
	return keys
}

func (k uniqueKey) label() string {
	if k.primary {
		return "PRIMARY KEY"
	}
	return "UNIQUE KEY " + k.name
}

// planKeys assigns the columns of every unique key a role that makes the key
// hold by construction: a single column gets distinct keys (ascending for a
// primary key), a composite key becomes a tuple of digits (a foreign key
// inside it is one digit: the parent row). Keys that cannot be guaranteed
// this way are listed in uniqueRisk and the load keeps unique checks on.
func (p *tablePlan) planKeys() {
	owned := make([]bool, len(p.cols))
	singleUnique := make([]bool, len(p.cols))
	fkOf := make([]*fkPlan, len(p.cols))
	for _, f := range p.fks {
		for _, c := range f.child {
			if fkOf[c] == nil {
				fkOf[c] = f
			}
		}
	}
	var satisfied [][]int
	for _, k := range p.uniqueKeys() {
		if k.expr || len(k.cols) == 0 {
			p.uniqueRisk = append(p.uniqueRisk, k.label()+" (functional key part)")
			continue
		}
		if anyOf(k.cols, singleUnique) || anySubset(satisfied, k.cols) {
			satisfied = append(satisfied, k.cols)
			continue
		}
		inKey := map[int]bool{}
		for _, c := range k.cols {
			inKey[c] = true
		}
		// Digits: free plain columns, and foreign keys lying wholly inside
		// the key with all their columns free.
		var digitCols [][]int
		var digitFKs []*fkPlan
		usedFK := map[*fkPlan]bool{}
		for _, c := range k.cols {
			if owned[c] || p.cols[c].role == roleSkip {
				continue
			}
			if f := fkOf[c]; f != nil {
				if usedFK[f] || !allIn(f.child, inKey) || anyOf(f.child, owned) {
					continue
				}
				usedFK[f] = true
				digitCols = append(digitCols, f.child)
				digitFKs = append(digitFKs, f)
				continue
			}
			digitCols = append(digitCols, []int{c})
			digitFKs = append(digitFKs, nil)
		}
		if len(digitCols) == 0 {
			p.uniqueRisk = append(p.uniqueRisk, k.label())
			continue
		}
		if len(digitCols) == 1 {
			cols := digitCols[0]
			if f := digitFKs[0]; f != nil {
				f.unique, f.seq = true, k.primary
				if f.np < p.rows {
					p.notef("%s is also foreign key %s: at most %d rows (one per parent row), not %d", k.label(), f.fk.Name, f.np, p.rows)
					p.rows = f.np
				}
			} else {
				cp := p.cols[cols[0]]
				cp.role = roleUnique
				if k.primary {
					cp.role = roleSeq
				}
				if c := cp.capacity(); c < p.rows {
					p.notef("%s on %s (%s) holds at most %d distinct values: %d rows instead of %d", k.label(), cp.col.Name, cp.col.Type, c, c, p.rows)
					p.rows = c
				}
			}
			for _, c := range cols {
				owned[c] = true
				if len(cols) == 1 {
					singleUnique[c] = true
				}
			}
			satisfied = append(satisfied, k.cols)
			continue
		}
		tp := &tuplePlan{key: k.label(), fks: digitFKs, cols: digitCols, monotonic: k.primary, seed: seedOf(p.seed, "tuple", k.name)}
		caps := make([]uint64, len(digitCols))
		for i, cols := range digitCols {
			if f := digitFKs[i]; f != nil {
				caps[i] = f.np
				tp.sizes = append(tp.sizes, f.np)
				f.inTuple = true
				continue
			}
			cp := p.cols[cols[0]]
			caps[i] = cp.capacity()
			tp.sizes = append(tp.sizes, max(1, min(caps[i], cp.tg.distinct)))
		}
		tp.product = product(tp.sizes)
		for i := len(tp.sizes) - 1; i >= 0 && tp.product < p.rows; i-- {
			tp.sizes[i] = caps[i]
			tp.product = product(tp.sizes)
		}
		tp.order = sizeOrder(tp.sizes)
		if tp.product < p.rows {
			p.notef("%s holds at most %d distinct combinations: %d rows instead of %d", k.label(), tp.product, tp.product, p.rows)
			p.rows = tp.product
		}
		for i, cols := range digitCols {
			for ci, c := range cols {
				owned[c] = true
				cp := p.cols[c]
				cp.role, cp.tuple, cp.digit = roleDigit, tp, i
				if f := digitFKs[i]; f != nil {
					cp.fk, cp.ref = f, ci
				}
			}
		}
		p.tuples = append(p.tuples, tp)
		satisfied = append(satisfied, k.cols)
	}
	// Foreign keys outside unique keys.
	for _, f := range p.fks {
		if f.inTuple {
			continue
		}
		if anyOf(f.child, owned) && !f.unique {
			p.notef("foreign key %s shares columns with a unique key: its values come from the key, some rows may be rejected", f.fk.Name)
			continue
		}
		for i, c := range f.child {
			cp := p.cols[c]
			cp.role, cp.fk, cp.ref = roleFK, f, i
			owned[c] = true
		}
	}
}

// sizeOrder is the digits' order from least significant for a key that
// need not ascend: the largest size first (ties in key order), so that the
// digits below each one hold at least its size (tupleInst.at).
func sizeOrder(sizes []uint64) []int {
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })
	return order
}

func product(s []uint64) uint64 {
	p := uint64(1)
	for _, v := range s {
		p = satMul(p, v)
	}
	return p
}

func anyOf(cols []int, flag []bool) bool {
	for _, c := range cols {
		if flag[c] {
			return true
		}
	}
	return false
}

func allIn(cols []int, set map[int]bool) bool {
	for _, c := range cols {
		if !set[c] {
			return false
		}
	}
	return true
}

// anySubset reports whether some satisfied key's columns are all in cols.
func anySubset(satisfied [][]int, cols []int) bool {
	set := map[int]bool{}
	for _, c := range cols {
		set[c] = true
	}
	for _, s := range satisfied {
		if allIn(s, set) {
			return true
		}
	}
	return false
}
