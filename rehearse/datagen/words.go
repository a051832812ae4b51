package datagen

import (
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"
)

// The word lists text is made from, built once per process from gofakeit's
// dictionaries with a fixed seed (so they do not depend on the run's seed).
var (
	wordsOnce sync.Once
	// digitWords encode a key in base len(digitWords): lower-case ASCII,
	// distinct under any collation, no digits, no spaces.
	digitWords []string
	// fillerASCII / fillerBMP / fillerFull are filler words per repertoire:
	// the multibyte ones add accented letters, CJK, Cyrillic and (utf8mb4
	// only) 4-byte emoji, so character-vs-byte length bugs show.
	fillerASCII, fillerBMP, fillerFull []word
)

type word struct {
	s     string
	chars int
}

var multibyteBMP = []string{"café", "naïve", "über", "façade", "São", "Zürich", "東京", "北京", "Москва", "Αθήνα",
	"smörgåsbord", "crème", "jalapeño", "résumé", "İstanbul", "ñandú", "Ελλάδα", "日本語", "Kraków", "Ærø"}
var multibyteFull = []string{"😀", "🚀", "👍", "🎉", "𝄞", "🐘"}

func buildWords() {
	f := gofakeit.New(20260101)
	seen := map[string]bool{}
	var ws []string
	for tries := 0; len(ws) < 256 && tries < 20000; tries++ {
		var w string
		switch tries % 3 {
		case 0:
			w = f.LoremIpsumWord()
		case 1:
			w = f.Noun()
		default:
			w = f.Adjective()
		}
		w = strings.ToLower(w)
		if w == "" || !isLowerASCIIWord(w) || seen[w] {
			continue
		}
		seen[w] = true
		ws = append(ws, w)
	}
	sort.Strings(ws)
	digitWords = ws
	for _, w := range ws {
		fillerASCII = append(fillerASCII, word{w, len(w)})
	}
	fillerBMP = append(fillerBMP, fillerASCII...)
	for _, w := range multibyteBMP {
		fillerBMP = append(fillerBMP, word{w, utf8.RuneCountInString(w)})
	}
	fillerFull = append(fillerFull, fillerBMP...)
	for _, w := range multibyteFull {
		fillerFull = append(fillerFull, word{w, utf8.RuneCountInString(w)})
	}
}

func isLowerASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func fillerFor(r repertoire) []word {
	wordsOnce.Do(buildWords)
	switch r {
	case repFull:
		return fillerFull
	case repBMP:
		return fillerBMP
	}
	return fillerASCII
}

func digitWordList() []string {
	wordsOnce.Do(buildWords)
	return digitWords
}

// truncateChars cuts s to at most n characters (runes).
func truncateChars(s []byte, start int, n int64) []byte {
	if n < 0 {
		n = 0
	}
	count := int64(0)
	for i := start; i < len(s); {
		if count == n {
			return s[:i]
		}
		if s[i] < utf8.RuneSelf {
			i++
		} else {
			_, sz := utf8.DecodeRune(s[i:])
			i += sz
		}
		count++
	}
	return s
}

// charCount counts runes in s[start:].
func charCount(s []byte, start int) int64 { return int64(utf8.RuneCount(s[start:])) }

// fillerText is a long run of filler words (one per repertoire, built once)
// from which values take slices: one copy per value instead of a loop over
// words. pos[i] is the byte offset of character i.
type fillerText struct {
	buf []byte
	pos []int32
}

const fillerChars = 1 << 15 // small enough to stay in cache

var (
	fillerTextOnce [3]sync.Once
	fillerTexts    [3]*fillerText
)

func fillerTextFor(r repertoire) *fillerText {
	fillerTextOnce[r].Do(func() {
		words := fillerFor(r)
		f := &fillerText{}
		x := uint64(0x5eed)
		for len(f.pos) < fillerChars {
			x = mix64(x)
			w := words[below(x, uint64(len(words)))]
			for i := range w.s {
				if w.s[i] < utf8.RuneSelf || utf8.RuneStart(w.s[i]) {
					f.pos = append(f.pos, int32(len(f.buf)+i))
				}
			}
			f.buf = append(f.buf, w.s...)
			f.pos = append(f.pos, int32(len(f.buf)))
			f.buf = append(f.buf, ' ')
		}
		f.pos = append(f.pos, int32(len(f.buf)))
		fillerTexts[r] = f
	})
	return fillerTexts[r]
}

// appendChars appends exactly n characters of filler chosen by r, never
// starting or ending with a space (a PAD SPACE collation would drop it).
func (f *fillerText) appendChars(dst []byte, n int64, r uint64) []byte {
	if n <= 0 {
		return dst
	}
	limit := int64(len(f.pos)-1) / 2
	for n > limit { // longer than the buffer allows: several slices
		dst = f.appendChars(dst, limit, r)
		r = mix64(r)
		n -= limit
	}
	s := below(r, uint64(int64(len(f.pos)-1)-n))
	start := len(dst)
	dst = append(dst, f.buf[f.pos[s]:f.pos[s+uint64(n)]]...)
	if dst[start] == ' ' {
		dst[start] = 'x'
	}
	if dst[len(dst)-1] == ' ' {
		dst[len(dst)-1] = 'x'
	}
	return dst
}
