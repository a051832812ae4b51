package datagen

import (
	"strings"

	"github.com/brianvoe/gofakeit/v7"
)

// hint is what a column's name says it holds. Hints are a registry: one entry
// per family, matched in order; the first match wins. A hint only shapes
// values (pool of realistic strings, plausible ranges); types and statistics
// always have the last word.
type hint struct {
	name string
	// match reports whether a lower-case column name (split on '_') and type
	// fit this hint.
	match func(name string, words []string, t colType) bool
	// fake makes one realistic value (strings); nil for range-only hints.
	fake func(f *gofakeit.Faker) string
	// unique, when set, renders an injective realistic value for key k:
	// stem + decimal(k) + tail, where stem and tail hold no digit (so the
	// decimal part can be read back: distinct k, distinct value).
	unique func(f *gofakeit.Faker) (stem, tail string)
	// small is the default distinct count when statistics are absent
	// (0: as many as rows).
	small   uint64
	years   [2]int64 // default year window for temporal columns
	intRng  [2]int64 // default range for numeric columns
	hexOnly bool     // hashes and tokens
}

// hintFor returns the first hint matching the column, or nil.
func hintFor(col string, t colType) *hint {
	name := strings.ToLower(col)
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	for i := range hints {
		if hints[i].match(name, words, t) {
			return &hints[i]
		}
	}
	return nil
}

func has(words []string, any ...string) bool {
	for _, w := range words {
		for _, a := range any {
			if w == a {
				return true
			}
		}
	}
	return false
}

func isText(t colType) bool { return t.kind == kChar }
func isTemporal(t colType) bool {
	return t.kind == kDate || t.kind == kDatetime || t.kind == kTimestamp
}
func isNumber(t colType) bool { return t.kind == kInt || t.kind == kDecimal || t.kind == kFloat }

var hints = []hint{
	{name: "email", match: func(n string, w []string, t colType) bool {
		return isText(t) && (has(w, "email", "mail") || strings.Contains(n, "email"))
	},
		fake: func(f *gofakeit.Faker) string { return strings.ToLower(f.Email()) },
		unique: func(f *gofakeit.Faker) (string, string) {
			return strings.ToLower(f.FirstName() + "." + f.LastName()), "@" + strings.ToLower(f.DomainName())
		}},
	{name: "uuid", match: func(n string, w []string, t colType) bool {
		return (isText(t) && t.length >= 32 || t.kind == kBinary && t.length == 16) && has(w, "uuid", "guid")
	}},
	{name: "first_name", match: func(n string, w []string, t colType) bool {
		return isText(t) && (n == "first_name" || n == "firstname" || n == "given_name")
	},
		fake: func(f *gofakeit.Faker) string { return f.FirstName() }},
	{name: "last_name", match: func(n string, w []string, t colType) bool {
		return isText(t) && (n == "last_name" || n == "lastname" || n == "surname" || n == "family_name")
	},
		fake: func(f *gofakeit.Faker) string { return f.LastName() }},
	{name: "username", match: func(n string, w []string, t colType) bool {
		return isText(t) && (has(w, "username", "login", "nick", "nickname", "handle") || n == "user")
	},
		fake:   func(f *gofakeit.Faker) string { return strings.ToLower(f.Username()) },
		unique: func(f *gofakeit.Faker) (string, string) { return strings.ToLower(f.FirstName()) + "_", "" }},
	{name: "name", match: func(n string, w []string, t colType) bool {
		return isText(t) && (n == "name" || n == "full_name" || n == "fullname" || n == "display_name")
	},
		fake: func(f *gofakeit.Faker) string { return f.Name() }},
	{name: "phone", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "phone", "mobile", "tel", "telephone", "fax")
	},
		fake: func(f *gofakeit.Faker) string { return f.Phone() }},
	{name: "street", match: func(n string, w []string, t colType) bool {
		return isText(t) && (has(w, "address", "street", "address1", "address2", "addr"))
	},
		fake: func(f *gofakeit.Faker) string { return f.Street() }},
	{name: "city", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "city", "town") },
		fake: func(f *gofakeit.Faker) string { return f.City() }, small: 1000},
	{name: "country_code", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "country") && t.length <= 3
	}, fake: func(f *gofakeit.Faker) string { return f.CountryAbr() }, small: 200},
	{name: "country", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "country") },
		fake: func(f *gofakeit.Faker) string { return f.Country() }, small: 200},
	{name: "state", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "province", "region") },
		fake: func(f *gofakeit.Faker) string { return f.State() }, small: 60},
	{name: "zip", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "zip", "postal", "zipcode", "postcode")
	},
		fake: func(f *gofakeit.Faker) string { return f.Zip() }},
	{name: "url", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "url", "website", "homepage", "link", "uri", "href")
	},
		fake: func(f *gofakeit.Faker) string { return f.URL() },
		unique: func(f *gofakeit.Faker) (string, string) {
			return "https://" + strings.ToLower(f.DomainName()) + "/p/", ""
		}},
	{name: "ip", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "ip", "ipaddr", "ip4", "ipv4") },
		fake: func(f *gofakeit.Faker) string { return f.IPv4Address() }},
	{name: "status", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "status", "state", "type", "kind", "category", "level", "role", "priority")
	}, fake: func(f *gofakeit.Faker) string { return statusWords[f.IntN(len(statusWords))] }, small: 8},
	{name: "gender", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "gender", "sex") },
		fake: func(f *gofakeit.Faker) string { return f.Gender() }, small: 2},
	{name: "currency", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "currency") },
		fake: func(f *gofakeit.Faker) string { return f.CurrencyShort() }, small: 30},
	{name: "language", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "lang", "language", "locale") },
		fake: func(f *gofakeit.Faker) string { return f.LanguageAbbreviation() }, small: 40},
	{name: "company", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "company", "organization", "organisation", "employer")
	},
		fake: func(f *gofakeit.Faker) string { return f.Company() }},
	{name: "title", match: func(n string, w []string, t colType) bool {
		return isText(t) && (has(w, "title", "subject", "headline"))
	},
		fake: func(f *gofakeit.Faker) string { return f.JobTitle() }},
	{name: "color", match: func(n string, w []string, t colType) bool { return isText(t) && has(w, "color", "colour") },
		fake: func(f *gofakeit.Faker) string { return f.Color() }, small: 30},
	{name: "useragent", match: func(n string, w []string, t colType) bool {
		return isText(t) && (n == "user_agent" || n == "useragent")
	},
		fake: func(f *gofakeit.Faker) string { return f.UserAgent() }},
	{name: "mime", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "mime", "mimetype", "content_type")
	},
		fake: func(f *gofakeit.Faker) string { return f.FileMimeType() }, small: 20},
	{name: "hash", match: func(n string, w []string, t colType) bool {
		return isText(t) && has(w, "hash", "token", "secret", "salt", "password", "digest", "checksum", "sha", "md5", "signature")
	}, hexOnly: true},
	{name: "birth", match: func(n string, w []string, t colType) bool {
		return isTemporal(t) && has(w, "birth", "dob", "birthday", "birthdate")
	},
		years: [2]int64{1950, 2005}},
	{name: "age", match: func(n string, w []string, t colType) bool { return isNumber(t) && has(w, "age") }, intRng: [2]int64{18, 90}},
	{name: "money", match: func(n string, w []string, t colType) bool {
		return isNumber(t) && has(w, "price", "amount", "salary", "cost", "total", "balance", "fee")
	}, intRng: [2]int64{1, 100_000}},
}

var statusWords = []string{"active", "inactive", "pending", "archived", "deleted", "draft", "published", "suspended",
	"open", "closed", "new", "failed", "completed", "cancelled", "queued", "running"}
