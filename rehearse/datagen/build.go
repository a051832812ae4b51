package datagen

// nonNull is how many of n rows are not NULL for a null fraction.
func nonNull(n uint64, frac float64) uint64 {
	ns := newNullSpec(frac)
	return n - ns.before(n)
}

// buildDomains fixes every column's key count and builds its domain.
func (p *tablePlan) buildDomains() {
	for _, cp := range p.cols {
		switch cp.role {
		case roleSkip, roleFK:
			continue
		case roleSeq:
			cp.tg.nullFrac = 0
			cp.d = p.rows
		case roleUnique:
			cp.d = nonNull(p.rows, cp.tg.nullFrac)
		case roleDigit:
			if cp.fk != nil {
				continue
			}
			cp.tg.nullFrac = 0
			cp.d = cp.tuple.sizes[cp.digit]
		default:
			cp.d = min(cp.tg.distinct, nonNull(p.rows, cp.tg.nullFrac))
		}
		cp.d = max(1, min(cp.d, cp.capacity()))
		cp.raw = cp.newDomain()
		cp.dom = memoize(cp.raw, cp.d)
	}
}

// newDomain builds the column's domain for cp.d keys.
func (cp *colPlan) newDomain() domain {
	t := cp.t
	if cp.inList != nil {
		return &listDomain{list: cp.inList, d: cp.d}
	}
	seq := cp.role == roleSeq
	unique := cp.role == roleSeq || cp.role == roleUnique || cp.role == roleDigit
	switch t.kind {
	case kInt, kDecimal, kFloat, kDate, kDatetime, kTimestamp, kTime, kYear, kBit:
		tg := cp.tg
		if seq && t.kind == kInt {
			// Ascending ids from the snapshot's minimum (or 1), dense like
			// AUTO_INCREMENT leaves them.
			if tg.unsigned {
				tg.ulo = max(tg.ulo, 1)
				tg.uhi = tg.ulo
			} else {
				if cp.col.Stats == nil || cp.col.Stats.Min == nil {
					tg.lo = max(tg.lo, 1)
				}
				tg.hi = tg.lo
			}
		}
		tg.widen(t, cp.d)
		jitter := !(seq && t.kind == kInt)
		return newNumDomain(tg.loBits(), tg.span(), cp.d, jitter, cp.seed, numFormat(t, tg.unsigned))
	case kEnum:
		return &listDomain{list: t.members, d: cp.d}
	case kSet:
		return &setDomain{members: t.members, d: cp.d}
	case kChar, kBinary:
		maxChars, lengths := t.maxChars(), cp.tg.lengths
		if cp.maxLen > 0 {
			maxChars = min(maxChars, cp.maxLen)
		}
		if cp.minLen > 0 || cp.maxLen > 0 {
			lengths.clip(cp.minLen, maxChars)
		}
		return newStrDomain(strSpec{t: t, h: cp.h, d: cp.d, unique: unique, keyLike: cp.role == rolePlain && cp.tg.keyLike, prefix: cp.prefix,
			lengths: lengths, maxChars: maxChars, minChars: cp.minLen, seed: cp.seed})
	case kJSON:
		return &jsonDomain{seed: cp.seed, filler: fillerFor(repFull)}
	case kSpatial:
		return &geoDomain{geom: t.geom, seed: cp.seed}
	}
	return &listDomain{list: []string{""}}
}

func numFormat(t colType, unsigned bool) func([]byte, uint64) []byte {
	switch t.kind {
	case kInt, kBit:
		if unsigned {
			return fmtUnsigned
		}
		return fmtSigned
	case kYear:
		return fmtSigned
	case kDecimal:
		return fmtFixed(t.scale)
	case kFloat:
		return fmtFixed(floatScale(t))
	case kDate:
		return fmtDate
	case kDatetime, kTimestamp:
		return fmtDatetime(t.fsp)
	case kTime:
		return fmtTime(t.fsp)
	}
	return fmtSigned
}
