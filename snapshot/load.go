package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rehearse/rehearse/rehearse"
)

// ErrInvalid is wrapped by every error Load returns for a document that is
// not a valid snapshot (as opposed to a file that cannot be read).
var ErrInvalid = errors.New("invalid snapshot")

// LoadFile reads and validates the snapshot at path.
func LoadFile(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("open snapshot: %w", err), "give the path of a file written by `rehearse snapshot`")
	}
	defer f.Close()
	return Load(f, path)
}

// Load reads a snapshot document from r and validates it against the
// embedded JSON Schema. name is used in errors (a file name, or "-").
// Errors say where the document is wrong: the line and column of a syntax
// error, "truncated" for a document that ends early, the JSON path of a
// schema violation, and which versions this build reads for an unknown
// format.
func Load(r io.Reader, name string) (*Snapshot, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s is empty", ErrInvalid, name), "take a snapshot with `rehearse snapshot --dsn ... -o FILE`")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, syntaxError(name, data, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s: the document is not a JSON object", ErrInvalid, name), "a snapshot starts with {\"format\": \"%s\", ...}", FormatV1)
	}
	format, _ := obj["format"].(string)
	if format != FormatV1 {
		return nil, formatError(name, obj["format"])
	}
	if src, ok := obj["source"].(map[string]any); ok {
		if fl, ok := src["flavor"].(string); ok && fl != "mysql" && fl != "mariadb" {
			return nil, rehearse.WithHint(fmt.Errorf("%w: %s: /source/flavor: snapshot of an unsupported flavor %q", ErrInvalid, name, fl),
				"rehearse reads snapshots of MySQL and MariaDB servers only")
		}
	}
	sch, err := schemaV1()
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validate snapshot %s: %w", name, err)
		}
		probs := leafProblems(ve, doc)
		var lines []string
		for i, p := range probs {
			if i == 5 {
				lines = append(lines, fmt.Sprintf("... and %d more", len(probs)-5))
				break
			}
			lines = append(lines, fmt.Sprintf("%s: %s", p.Path, p.Message))
		}
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s does not match the %s schema at %s", ErrInvalid, name, FormatV1, strings.Join(lines, "; ")),
			"the file was edited or damaged; take a new snapshot, or fix the value at the path shown (schema: snapshot/schema/rehearse.snapshot.v1.json)")
	}
	var snap Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, fmt.Errorf("%w: %s: /%s: %v", ErrInvalid, name, strings.ReplaceAll(ute.Field, ".", "/"), err)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
	}
	if err := snap.Validate(name); err != nil {
		return nil, err
	}
	return &snap, nil
}

func formatError(name string, v any) error {
	readable := strings.Join(ReadableFormats, ", ")
	switch f := v.(type) {
	case nil:
		return rehearse.WithHint(fmt.Errorf("%w: %s: /format is missing: this is not a rehearse snapshot", ErrInvalid, name),
			"this build reads %s; take a snapshot with `rehearse snapshot`", readable)
	case string:
		if strings.HasPrefix(f, "rehearse.snapshot/") {
			return rehearse.WithHint(fmt.Errorf("%w: %s: /format: unknown snapshot format version %q; this build reads %s", ErrInvalid, name, f, readable),
				"use a rehearse release that reads %s, or take the snapshot again with this build", f)
		}
		return rehearse.WithHint(fmt.Errorf("%w: %s: /format is %q: this is not a rehearse snapshot", ErrInvalid, name, f),
			"this build reads %s", readable)
	}
	return rehearse.WithHint(fmt.Errorf("%w: %s: /format must be a string", ErrInvalid, name), "this build reads %s", readable)
}

// syntaxError reports a JSON syntax error with its line and column, and a
// document that ends early as truncated.
func syntaxError(name string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected end of JSON input") ||
		(errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n")))) {
		line, col := position(data, int64(len(data)))
		return rehearse.WithHint(fmt.Errorf("%w: %s is truncated: the JSON document ends early at line %d, column %d (%d bytes)", ErrInvalid, name, line, col, len(data)),
			"the file was cut short (disk full, interrupted copy?); take or copy the snapshot again")
	}
	if errors.As(err, &se) {
		line, col := position(data, se.Offset)
		return rehearse.WithHint(fmt.Errorf("%w: %s: line %d, column %d: %v", ErrInvalid, name, line, col, se),
			"the file is not valid JSON; it was edited or damaged: fix it there or take a new snapshot")
	}
	return rehearse.WithHint(fmt.Errorf("%w: %s: %v", ErrInvalid, name, err), "the file is not valid JSON; take a new snapshot")
}

func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
