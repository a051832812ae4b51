package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

// subjectTypes are the result types each subject's PATH addresses.
var subjectTypes = map[string]reflect.Type{
	"report":    reflect.TypeOf(result.Report{}),
	"statement": reflect.TypeOf(result.Statement{}),
	"migration": reflect.TypeOf(result.Migration{}),
	"rollback":  reflect.TypeOf(result.MigrationRollback{}),
	"gate":      reflect.TypeOf(result.Gate{}),
}

// checkPath verifies that a dotted path names fields of the subject's
// result type by their JSON names, so a typo is an error when the
// expectations are read rather than a field that silently reads as zero.
func checkPath(subject string, p []string) error {
	t, ok := subjectTypes[subject]
	if !ok {
		return nil
	}
	for i, k := range p {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			if _, err := strconv.Atoi(k); err != nil {
				return fmt.Errorf("%s: %s is a list: use a number", strings.Join(p[:i+1], "."), strings.Join(p[:i], "."))
			}
			t = t.Elem()
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := jsonField(t, k)
			if !ok {
				return fmt.Errorf("no field %q in %s (fields: %s)", strings.Join(p[:i+1], "."), t.Name(), strings.Join(jsonNames(t), ", "))
			}
			t = f
		default:
			return fmt.Errorf("%s is a %s, it has no field %q", strings.Join(p[:i], "."), t.Kind(), k)
		}
	}
	return nil
}

func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		if n := jsonName(t.Field(i)); n == name {
			return t.Field(i).Type, true
		}
	}
	return nil, false
}

func jsonNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if n := jsonName(t.Field(i)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	if tag == "" {
		return f.Name
	}
	return tag
}
