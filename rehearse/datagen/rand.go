package datagen

import (
	"hash/fnv"
	"math/bits"
)

// mix64 is splitmix64's finaliser: a bijection on uint64 with good
// avalanche, used as a counter-based random function (value = mix(seed ^ i)).
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hash2 is a random function of (seed, x).
func hash2(seed, x uint64) uint64 { return mix64(seed ^ mix64(x)) }

// below returns a value in [0, n) from a random r (n > 0).
func below(r, n uint64) uint64 {
	hi, _ := bits.Mul64(r, n)
	return hi
}

// unit returns r as a float in [0, 1).
func unit(r uint64) float64 { return float64(r>>11) / (1 << 53) }

// seedOf derives a stable seed from the run's seed and names.
func seedOf(seed uint64, names ...string) uint64 {
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return mix64(seed ^ h.Sum64())
}

// mulDiv returns a*b/c without overflow (c > 0, result < 2^64).
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi >= c { // would overflow: saturate
		return ^uint64(0)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// mulMod returns a*b mod m (m > 0).
func mulMod(a, b, m uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	_, r := bits.Div64(hi%m, lo, m)
	return r
}

// perm is the affine bijection p(i) = (a*i + b) mod n on [0, n), with a
// coprime to n. Sequential calls take a fast path (one add).
type perm struct {
	n, a, b uint64
	last    uint64 // last i asked for
	lastP   uint64
	primed  bool
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func newPerm(n, seed uint64) perm {
	if n <= 1 {
		return perm{n: n, a: 1}
	}
	r := mix64(seed)
	a := n/3 + below(r, n/3+1) // far from 1 so neighbours spread
	if a == 0 {
		a = 1
	}
	for gcd(a, n) != 1 {
		a++
		if a >= n {
			a = 1
		}
	}
	return perm{n: n, a: a % n, b: below(mix64(r), n)}
}

func (p *perm) apply(i uint64) uint64 {
	if p.n <= 1 {
		return 0
	}
	if p.primed && i == p.last+1 {
		v := p.lastP + p.a
		if v >= p.n || v < p.lastP {
			v -= p.n
		}
		p.last, p.lastP = i, v
		return v
	}
	v := (mulMod(p.a, i%p.n, p.n) + p.b) % p.n
	p.last, p.lastP, p.primed = i, v, true
	return v
}

// satMul multiplies with saturation at capLimit.
func satMul(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	hi, lo := bits.Mul64(a, b)
	if hi != 0 || lo > capLimit {
		return capLimit
	}
	return lo
}

// capLimit bounds capacities so that products and row arithmetic never
// overflow.
const capLimit = uint64(1) << 62
