package reports

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/rehearse/rehearse/rehearse/redact"
)

// Redacted returns a deep copy of doc (a pointer to a document struct) with
// redact.String applied to every string in it, map keys included. doc is
// not modified.
func Redacted(doc any) (any, error) {
	v := reflect.ValueOf(doc)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, fmt.Errorf("reports: render wants a pointer to a document, got %T", doc)
	}
	return copyRedacted(v).Interface(), nil
}

// copyRedacted deep-copies v, masking credentials in strings. Structs with
// unexported fields (time.Time) hold no text of ours and are copied whole.
func copyRedacted(v reflect.Value) reflect.Value {
	t := v.Type()
	out := reflect.New(t).Elem()
	switch v.Kind() {
	case reflect.String:
		out.SetString(redact.String(v.String()))
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(t.Elem())
			p.Elem().Set(copyRedacted(v.Elem()))
			out.Set(p)
		}
	case reflect.Interface:
		if !v.IsNil() {
			out.Set(copyRedacted(v.Elem()))
		}
	case reflect.Struct:
		if !allExported(t) {
			out.Set(v)
			break
		}
		for i := 0; i < v.NumField(); i++ {
			out.Field(i).Set(copyRedacted(v.Field(i)))
		}
	case reflect.Slice:
		if v.IsNil() {
			break
		}
		s := reflect.MakeSlice(t, v.Len(), v.Len())
		if !hasStrings(t.Elem()) {
			reflect.Copy(s, v)
		} else {
			for i := 0; i < v.Len(); i++ {
				s.Index(i).Set(copyRedacted(v.Index(i)))
			}
		}
		out.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(copyRedacted(v.Index(i)))
		}
	case reflect.Map:
		if v.IsNil() {
			break
		}
		m := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			m.SetMapIndex(copyRedacted(it.Key()), copyRedacted(it.Value()))
		}
		out.Set(m)
	default:
		out.Set(v)
	}
	return out
}

func allExported(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if !t.Field(i).IsExported() {
			return false
		}
	}
	return true
}

var (
	stringTypesMu sync.Mutex
	stringTypes   = map[reflect.Type]bool{}
)

// hasStrings tells whether values of type t can hold a string. Only the
// answer for t itself is remembered: answers reached while a recursive
// type was still being decided may be partial.
func hasStrings(t reflect.Type) bool {
	stringTypesMu.Lock()
	defer stringTypesMu.Unlock()
	if v, ok := stringTypes[t]; ok {
		return v
	}
	r := decideStrings(t, map[reflect.Type]bool{})
	stringTypes[t] = r
	return r
}

// decideStrings walks t's structure; a type met again on the path being
// walked (a recursive type) adds nothing new there.
func decideStrings(t reflect.Type, visiting map[reflect.Type]bool) bool {
	if visiting[t] {
		return false
	}
	visiting[t] = true
	defer delete(visiting, t)
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return decideStrings(t.Elem(), visiting)
	case reflect.Map:
		return decideStrings(t.Key(), visiting) || decideStrings(t.Elem(), visiting)
	case reflect.Struct:
		if !allExported(t) {
			return false
		}
		for i := 0; i < t.NumField(); i++ {
			if decideStrings(t.Field(i).Type, visiting) {
				return true
			}
		}
	}
	return false
}
