package scenarios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// compiled is a parsed assertion.
type compiled struct {
	subject string // verdict, statement, migration, rollback, gate, report, finding, app_compat, injection
	key     string // VERSION, VERSION#N, gate name, finding code glob, injection kind
	index   int    // statement index for "statement"
	path    []string
	op      string
	value   string
	// ref, when set, makes a numeric comparison's right side a field of
	// the same subject times factor ("0.5*duration_s").
	ref    []string
	factor float64
	// finding / injection / app_compat
	present bool
	filters map[string]string
}

var ops = []string{"==", "!=", ">=", "<=", ">", "<", "contains"}

func isOp(s string) bool {
	for _, o := range ops {
		if s == o {
			return true
		}
	}
	return false
}

// parseAssertion compiles one assertion line (grammar on Assertion).
func parseAssertion(text string) (*compiled, error) {
	f := fields(text)
	if len(f) == 0 {
		return nil, errors.New("empty assertion")
	}
	c := &compiled{subject: f[0]}
	rest := f[1:]
	switch c.subject {
	case "verdict":
		return c, c.comparison(rest, false)
	case "report":
		return c, c.comparison(rest, true)
	case "statement":
		if len(rest) == 0 {
			return nil, errors.New("statement needs VERSION#N")
		}
		v, n, ok := strings.Cut(rest[0], "#")
		idx, err := strconv.Atoi(n)
		if !ok || v == "" || err != nil || idx < 1 {
			return nil, fmt.Errorf("statement %q: write VERSION#N, N counting from 1", rest[0])
		}
		c.key, c.index = v, idx
		return c, c.comparison(rest[1:], true)
	case "migration", "rollback", "gate":
		if len(rest) == 0 {
			return nil, fmt.Errorf("%s needs a name", c.subject)
		}
		c.key = rest[0]
		return c, c.comparison(rest[1:], true)
	case "finding", "injection":
		if len(rest) < 2 || (rest[1] != "present" && rest[1] != "absent") {
			return nil, fmt.Errorf("write: %s NAME present|absent", c.subject)
		}
		c.key, c.present = rest[0], rest[1] == "present"
		c.filters = map[string]string{}
		for _, kv := range rest[2:] {
			k, v, ok := strings.Cut(kv, "=")
			switch {
			case !ok:
				return nil, fmt.Errorf("filter %q: write key=value", kv)
			case c.subject == "finding" && (k == "migration" || k == "table" || k == "severity" || k == "message" || k == "statement"):
			default:
				return nil, fmt.Errorf("unknown filter %q", k)
			}
			c.filters[k] = v
		}
		return c, nil
	case "app_compat":
		if len(rest) == 1 && rest[0] == "none" {
			c.present = false
			return c, nil
		}
		// app_compat failure on table T [code N]
		if len(rest) < 4 || rest[0] != "failure" || rest[1] != "on" || rest[2] != "table" {
			return nil, errors.New("write: app_compat failure on table TABLE [code N], or app_compat none")
		}
		c.present, c.key = true, rest[3]
		c.filters = map[string]string{}
		if len(rest) == 6 && rest[4] == "code" {
			if _, err := strconv.Atoi(rest[5]); err != nil {
				return nil, fmt.Errorf("code %q is not a number", rest[5])
			}
			c.filters["code"] = rest[5]
		} else if len(rest) != 4 {
			return nil, fmt.Errorf("unexpected %q", strings.Join(rest[4:], " "))
		}
		return c, nil
	}
	return nil, fmt.Errorf("unknown subject %q: use verdict, statement, migration, rollback, gate, report, finding, app_compat or injection", c.subject)
}

// comparison parses "[PATH] OP VALUE".
func (c *compiled) comparison(f []string, wantPath bool) error {
	if wantPath {
		if len(f) == 0 || isOp(f[0]) {
			return errors.New("missing field path before the operator")
		}
		c.path = strings.Split(f[0], ".")
		if err := checkPath(c.subject, c.path); err != nil {
			return err
		}
		f = f[1:]
	}
	if len(f) < 2 || !isOp(f[0]) {
		return fmt.Errorf("write: ... OP VALUE with OP one of %s", strings.Join(ops, " "))
	}
	c.op, c.value = f[0], strings.Join(f[1:], " ")
	if c.op == "==" || c.op == "!=" || c.op == "contains" {
		return nil
	}
	if _, err := strconv.ParseFloat(c.value, 64); err == nil {
		return nil
	}
	if !wantPath {
		return fmt.Errorf("%s needs a number, not %q", c.op, c.value)
	}
	// FACTOR*PATH or PATH: another field of the same subject.
	c.factor = 1
	ref := c.value
	if k, p, ok := strings.Cut(c.value, "*"); ok {
		f, err := strconv.ParseFloat(k, 64)
		if err != nil {
			return fmt.Errorf("%s needs a number or FACTOR*FIELD, not %q", c.op, c.value)
		}
		c.factor, ref = f, p
	}
	if ref == "" || strings.ContainsAny(ref, " *") {
		return fmt.Errorf("%s needs a number or FACTOR*FIELD, not %q", c.op, c.value)
	}
	c.ref = strings.Split(ref, ".")
	return checkPath(c.subject, c.ref)
}

// fields splits on spaces, keeping "double quoted" words together (quotes
// removed).
func fields(s string) []string {
	var out []string
	var cur strings.Builder
	inQ, had := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQ, had = !inQ, true
		case (r == ' ' || r == '\t') && !inQ:
			if had || cur.Len() > 0 {
				out = append(out, cur.String())
			}
			cur.Reset()
			had = false
		default:
			cur.WriteRune(r)
		}
	}
	if had || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
