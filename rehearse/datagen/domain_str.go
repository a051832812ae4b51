package datagen

import (
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
)

// strSpec says what a text or binary column's values must be.
type strSpec struct {
	t        colType
	h        *hint
	d        uint64 // keys asked for
	unique   bool   // distinct keys must give distinct values (always true by contract; unique = strictly)
	keyLike  bool   // a key-like column without a unique key: strictly distinct too, realistic pools allowed
	prefix   int64  // an index prefix the distinguishing part must fit in (0: whole value)
	lengths  lengthDist
	maxChars int64
	minChars int64 // a CHECK's lower length bound (0: none)
	seed     uint64
}

// strCapacity is how many distinct values a string column can hold under a
// case- and accent-insensitive collation with our compact encoding.
func strCapacity(t colType, prefix int64) uint64 {
	n := t.maxChars()
	if prefix > 0 && prefix < n {
		n = prefix
	}
	base := uint64(36)
	if t.kind == kBinary {
		base = 256
	}
	c := uint64(1)
	for i := int64(0); i < n; i++ {
		c = satMul(c, base)
		if c == capLimit {
			break
		}
	}
	return c
}

// newStrDomain picks the form of a string column's values.
func newStrDomain(s strSpec) domain {
	if s.maxChars <= 0 {
		s.maxChars = 1
	}
	if s.t.kind == kBinary {
		return &binDomain{width: widthFor(s.d, 256), lengths: s.lengths, seed: s.seed, fixed: s.t.fixed, maxLen: s.maxChars}
	}
	text := fillerTextFor(s.t.repertoire())
	w36 := widthFor(s.d, 36)
	switch {
	case s.h != nil && s.h.name == "uuid" && s.maxChars >= 36:
		return &uuidDomain{seed: s.seed}
	case s.h != nil && s.h.hexOnly:
		if int64(widthFor(s.d, 16)) <= s.maxChars {
			return &hexDomain{width: widthFor(s.d, 16), lengths: s.lengths, seed: s.seed, maxLen: s.maxChars}
		}
	case s.h != nil && s.h.unique != nil && (s.unique || s.keyLike) && s.prefix == 0:
		if d := newStemDomain(s); d != nil {
			return d
		}
	case s.h != nil && s.h.fake != nil && !s.unique:
		if p := newPoolDomain(s); p != nil {
			return p
		}
	}
	if s.unique || s.keyLike || s.lengths.max() < int64(w36)+8 || s.lengths.sample(0.5) < 10 {
		return &compactDomain{width: w36, lengths: s.lengths, text: text, seed: s.seed, maxLen: s.maxChars}
	}
	return &textDomain{digits: wordsFor(s.d), lengths: s.lengths, text: text, seed: s.seed, maxLen: s.maxChars}
}

// widthFor is the number of base-b digits needed for d keys (at least 1).
func widthFor(d uint64, b uint64) int {
	w := 1
	for c := b; c < d; c = satMul(c, b) {
		w++
		if c == capLimit {
			break
		}
	}
	return w
}

func wordsFor(d uint64) int { return widthFor(d, uint64(len(digitWordList()))) }

const b36 = "0123456789abcdefghijklmnopqrstuvwxyz"

func appendBase36(dst []byte, k uint64, width int) []byte {
	start := len(dst)
	for i := 0; i < width; i++ {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= start && k > 0; i-- {
		dst[i] = b36[k%36]
		k /= 36
	}
	return dst
}

// compactDomain: fixed-width base-36 key first (distinct under any
// collation, and within any index prefix of at least that width), then filler
// words to the sampled length.
type compactDomain struct {
	width   int
	lengths lengthDist
	text    *fillerText
	seed    uint64
	maxLen  int64
}

func (c *compactDomain) value(dst []byte, k uint64) []byte { return c.valueWidth(dst, k, c.width) }

func (c *compactDomain) valueWidth(dst []byte, k uint64, width int) []byte {
	dst = appendBase36(dst, k, width)
	r := hash2(c.seed, k)
	target := min(max(c.lengths.sample(unit(r)), int64(width)), c.maxLen)
	if target > int64(width)+1 {
		dst = append(dst, ' ')
		dst = c.text.appendChars(dst, target-int64(width)-1, r)
	}
	return dst
}
func (c *compactDomain) safe() bool { return true } // base-36 and words: nothing to escape

// textDomain: the key written in base len(digitWords) with words (so text
// reads like text and distinct keys still differ), then filler to length.
type textDomain struct {
	digits  int
	lengths lengthDist
	text    *fillerText
	seed    uint64
	maxLen  int64
}

func (t *textDomain) value(dst []byte, k uint64) []byte {
	start, key := len(dst), k
	dw := digitWordList()
	n := uint64(len(dw))
	chars := int64(0)
	for i := 0; i < t.digits; i++ {
		if i > 0 {
			dst = append(dst, ' ')
			chars++
		}
		w := dw[k%n]
		k /= n
		dst = append(dst, w...)
		chars += int64(len(w))
	}
	r := hash2(t.seed, key)
	target := min(t.lengths.sample(unit(r)), t.maxLen)
	if target < chars {
		return truncateChars(dst, start, target)
	}
	if target > chars+1 {
		dst = append(dst, ' ')
		dst = t.text.appendChars(dst, target-chars-1, r)
	}
	return dst
}
func (t *textDomain) safe() bool { return true }

// stemDomain: realistic injective values stem + decimal(key) + tail, with
// digit-free stems and tails (emails, user names, URLs).
type stemDomain struct {
	stems, tails []string
	maxLen       int64
	plain        bool // no stem or tail needs escaping
}

func newStemDomain(s strSpec) *stemDomain {
	f := gofakeit.New(s.seed)
	d := &stemDomain{maxLen: s.maxChars}
	digits := int64(len(strconv.FormatUint(s.d, 10)))
	for i := 0; i < 256; i++ {
		stem, tail := s.h.unique(f)
		stem, tail = stripDigits(stem), stripDigits(tail)
		if int64(len(stem)+len(tail))+digits > s.maxChars {
			continue
		}
		d.stems = append(d.stems, stem)
		d.tails = append(d.tails, tail)
	}
	if len(d.stems) < 16 {
		return nil
	}
	d.plain = !anyNeedsEscape(d.stems) && !anyNeedsEscape(d.tails)
	return d
}

func stripDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r > 127 {
			return -1
		}
		return r
	}, s)
}

func (d *stemDomain) value(dst []byte, k uint64) []byte {
	i := k % uint64(len(d.stems))
	dst = append(dst, d.stems[i]...)
	dst = strconv.AppendUint(dst, k, 10)
	return append(dst, d.tails[i]...)
}
func (d *stemDomain) safe() bool { return d.plain }

// poolDomain: realistic values from a pool built once (gofakeit, seeded);
// keys beyond the pool get a numeric suffix so distinct keys stay distinct.
type poolDomain struct {
	pool   []string
	maxLen int64
	plain  bool
	// free: keys below it never truncate a value to fit its suffix (the
	// pool of a key-like column keeps room for keys up to poolRoom × d,
	// so they stay distinct); 0 = not checked.
	free uint64
}

// poolRoom × d keys of a key-like column's pool are distinct: the d
// generated and 15 × d more, rows the load inserts past them.
const poolRoom = 16

// newPoolDomain builds the pool; nil when a key-like column has no room
// for one (its values would have to be truncated to take their suffix).
func newPoolDomain(s strSpec) *poolDomain {
	want := min(s.d, 5000)
	f := gofakeit.New(s.seed)
	seen := map[string]bool{}
	p := &poolDomain{maxLen: s.maxChars}
	reserve := int64(0)
	if s.keyLike {
		p.free = satMul(max(s.d, 1), poolRoom)
		reserve = int64(1 + len(strconv.FormatUint(p.free, 10))) // " " + the largest suffix (a pool of one)
	}
	for tries := uint64(0); uint64(len(p.pool)) < want && tries < want*4+64; tries++ {
		v := s.h.fake(f)
		if s.t.repertoire() == repASCII {
			v = asciiOnly(v)
		}
		b := truncateChars([]byte(v), 0, s.maxChars)
		v = strings.TrimRight(string(b), " ")
		key := strings.ToLower(v)
		n := charCount([]byte(v), 0)
		if v == "" || seen[key] || n < s.minChars || n+reserve > s.maxChars {
			continue
		}
		seen[key] = true
		p.pool = append(p.pool, v)
	}
	if len(p.pool) == 0 {
		if s.keyLike {
			return nil
		}
		p.pool = []string{"x"}
	}
	p.plain = !anyNeedsEscape(p.pool)
	return p
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 127 {
			return -1
		}
		return r
	}, s)
}

func (p *poolDomain) value(dst []byte, k uint64) []byte {
	n := uint64(len(p.pool))
	start := len(dst)
	dst = append(dst, p.pool[k%n]...)
	if k >= n {
		suffix := strconv.AppendUint([]byte{' '}, k/n, 10)
		if charCount(dst, start)+int64(len(suffix)) > p.maxLen {
			dst = truncateChars(dst, start, p.maxLen-int64(len(suffix)))
		}
		dst = append(dst, suffix...)
	}
	return dst
}
func (p *poolDomain) safe() bool { return p.plain }

// uuidDomain: RFC 4122-looking version-4 UUIDs whose last 16 hex digits are
// a bijection of the key (distinct keys, distinct UUIDs).
type uuidDomain struct{ seed uint64 }

const hexDigits = "0123456789abcdef"

func appendHex(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return dst
}

func (u *uuidDomain) value(dst []byte, k uint64) []byte {
	hi := hash2(u.seed, k)
	lo := mix64(k ^ u.seed)
	dst = appendHex(dst, hi>>32, 8)
	dst = append(dst, '-')
	dst = appendHex(dst, hi>>16, 4)
	dst = append(dst, '-', '4')
	dst = appendHex(dst, hi, 3)
	dst = append(dst, '-')
	dst = appendHex(dst, lo>>48, 4)
	dst = append(dst, '-')
	return appendHex(dst, lo, 12)
}
func (u *uuidDomain) safe() bool { return true }

// hexDomain: hex tokens/hashes; the first width digits are the key.
type hexDomain struct {
	width   int
	lengths lengthDist
	seed    uint64
	maxLen  int64
}

func (h *hexDomain) value(dst []byte, k uint64) []byte { return h.valueWidth(dst, k, h.width) }

func (h *hexDomain) valueWidth(dst []byte, k uint64, width int) []byte {
	dst = appendHex(dst, k, width)
	r := hash2(h.seed, k)
	target := min(max(h.lengths.sample(unit(r)), int64(width)), h.maxLen)
	for n := int64(width); n < target; n += 16 {
		r = mix64(r)
		dst = appendHex(dst, r, int(min(16, target-n)))
	}
	return dst
}
func (h *hexDomain) safe() bool { return true }

// binDomain: big-endian key bytes then random bytes to the sampled length.
type binDomain struct {
	width   int
	lengths lengthDist
	seed    uint64
	fixed   bool
	maxLen  int64
}

func (b *binDomain) value(dst []byte, k uint64) []byte { return b.valueWidth(dst, k, b.width) }

func (b *binDomain) valueWidth(dst []byte, k uint64, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		dst = append(dst, byte(k>>(uint(i)*8)))
	}
	r := hash2(b.seed, k)
	target := min(max(b.lengths.sample(unit(r)), int64(width)), b.maxLen)
	if b.fixed {
		target = b.maxLen
	}
	for n := int64(width); n < target; n++ {
		if n%8 == 0 {
			r = mix64(r)
		}
		dst = append(dst, byte(r>>(uint(n%8)*8)))
	}
	return dst
}
func (b *binDomain) safe() bool { return false }

func anyNeedsEscape(list []string) bool {
	for _, s := range list {
		if needsEscape([]byte(s)) {
			return true
		}
	}
	return false
}
