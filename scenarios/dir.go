package scenarios

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/rehearse/rehearse/rehearse"
)

// DirVariants lists the variants of a scenario folder (one exported by
// `rehearse scenarios export` or saved by `rehearse reproduce
// --save-scenario`): the blocks of its expect.yaml, in order.
func DirVariants(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "expect.yaml"))
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("scenario folder %s: %w", dir, err), "a scenario folder holds rehearse.yaml and expect.yaml (rehearse scenarios export, or rehearse reproduce --save-scenario)")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: expected a mapping of variant names to expectations", filepath.Join(dir, "expect.yaml"))
	}
	var out []string
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		out = append(out, root.Content[i].Value)
	}
	return out, nil
}

// PrepareDir is Prepare for a scenario folder on disk: the variant's
// rehearse.<variant>.yaml (rehearse.yaml for the folder's first variant,
// or when it has no file of its own) and its block of expect.yaml. The
// folder is the user's: Close leaves it alone.
func PrepareDir(ctx context.Context, dir, variant string, opts PrepareOptions) (*Prepared, error) {
	variants, err := DirVariants(dir)
	if err != nil {
		return nil, err
	}
	if variant == "" {
		variant = variants[0]
	}
	known := false
	for _, v := range variants {
		known = known || v == variant
	}
	if !known {
		return nil, rehearse.WithHint(fmt.Errorf("scenario folder %s has no variant %q", dir, variant), "its expect.yaml has: %v", variants)
	}
	cfg := filepath.Join(dir, "rehearse."+variant+".yaml")
	if _, err := os.Stat(cfg); err != nil {
		cfg = filepath.Join(dir, "rehearse.yaml")
	}
	b, err := os.ReadFile(filepath.Join(dir, "expect.yaml"))
	if err != nil {
		return nil, err
	}
	exp, err := ParseExpectations(filepath.Join(dir, "expect.yaml"), b, variant)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(filepath.Clean(dir))
	if m, err := readManifest(dir); err == nil && m != nil && m.Scenario != "" {
		name = m.Scenario
	}
	ro, err := prepareConfig(ctx, cfg, dir+"/", name, opts)
	if err != nil {
		return nil, err
	}
	s := &Scenario{Name: name, Title: name, Story: "a scenario folder: " + dir}
	v := &Variant{Name: variant, Summary: filepath.Base(cfg), Outcome: "as expect.yaml says", Config: filepath.Base(cfg)}
	return &Prepared{Scenario: s, Variant: v, Options: ro, Expect: exp}, nil
}
