package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// compare applies c.op to a value read from the report; reason is "" when
// the comparison holds.
// subject resolves a FACTOR*FIELD right side.
func (c *compiled) compare(subject, v any) (got, reason string) {
	got = render(v)
	switch c.op {
	case ">=", "<=", ">", "<":
		x, ok := number(v)
		if !ok {
			return got, "not a number"
		}
		want, _ := strconv.ParseFloat(c.value, 64)
		if c.ref != nil {
			rv, found := lookup(subject, c.ref)
			y, isNum := number(rv)
			if !found || !isNum {
				return got, fmt.Sprintf("%s is not a number", strings.Join(c.ref, "."))
			}
			want = c.factor * y
			got = fmt.Sprintf("%s, against %s", got, render(want))
		}
		holds := map[string]bool{">=": x >= want, "<=": x <= want, ">": x > want, "<": x < want}[c.op]
		if !holds {
			return got, "does not hold"
		}
		return got, ""
	case "contains":
		if holdsContains(v, c.value) {
			return got, ""
		}
		return got, "does not contain " + c.value
	}
	eq := equal(v, c.value)
	if (c.op == "==") != eq {
		return got, "does not hold"
	}
	return got, ""
}

// number reads a JSON number; an omitted field (nil) is 0.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case nil:
		return 0, true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func equal(v any, want string) bool {
	switch x := v.(type) {
	case nil:
		if f, err := strconv.ParseFloat(want, 64); err == nil {
			return f == 0
		}
		return want == "" || want == "null" || want == "false" || want == "[]"
	case float64:
		f, err := strconv.ParseFloat(want, 64)
		return err == nil && math.Abs(f-x) < 1e-9
	case bool:
		b, err := strconv.ParseBool(want)
		return err == nil && b == x
	case string:
		return strings.EqualFold(x, want)
	}
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		return false
	}
	return reflect.DeepEqual(v, w)
}

func holdsContains(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(strings.ToLower(x), strings.ToLower(want))
	case []any:
		for _, e := range x {
			if equal(e, want) || holdsContains(e, want) {
				return true
			}
		}
	case map[string]any:
		_, ok := x[want]
		return ok
	}
	return false
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		b = append(b[:200], "..."...)
	}
	return string(b)
}
