package scenarios

import (
	"errors"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse"
)

func TestRegistry(t *testing.T) {
	all := All()
	if len(all) != 6 {
		t.Fatalf("library holds %d scenarios, want the issue's 6: %v", len(all), Names())
	}
	for i, s := range all {
		if s.Order != i+1 {
			t.Errorf("%s: order %d at position %d", s.Name, s.Order, i+1)
		}
		if strings.ContainsAny(s.Story, "\n") || len(s.Story) > 200 {
			t.Errorf("%s: the story must be one line (<= 200 chars), has %d", s.Name, len(s.Story))
		}
		if s.CIScale > s.DefaultScale {
			t.Errorf("%s: CI scale %g above the default %g", s.Name, s.CIScale, s.DefaultScale)
		}
		if len(s.Sources) == 0 || len(s.Look) == 0 || s.Incident == "" {
			t.Errorf("%s: needs the incident, its sources and what to look for", s.Name)
		}
		if _, err := s.Variant(Fixed); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		for _, v := range s.Variants {
			if v.Outcome == "" || v.Summary == "" {
				t.Errorf("%s/%s: needs a summary and an expected outcome", s.Name, v.Name)
			}
		}
	}
	if f := Flagship(); f == nil || f.Name != "unique-index-rerun" {
		t.Errorf("flagship = %v, want unique-index-rerun", f)
	}
}

func TestGet(t *testing.T) {
	s, err := Get("mdl-pileup")
	if err != nil || s.Name != "mdl-pileup" {
		t.Fatalf("Get(mdl-pileup) = %v, %v", s, err)
	}
	if s, err := Get("3"); err != nil || s.Name != "cherry-picked-migration" {
		t.Errorf("Get(3) = %v, %v", s, err)
	}
	_, err = Get("nope")
	if !errors.Is(err, ErrUnknown) {
		t.Fatalf("Get(nope) = %v, want ErrUnknown", err)
	}
	if h := rehearse.Hint(err); !strings.Contains(h, "unique-index-rerun") {
		t.Errorf("hint %q does not list the scenarios", h)
	}
	if _, err := s.Variant("nope"); err == nil || !strings.Contains(rehearse.Hint(err), "fixed") {
		t.Errorf("Variant(nope) = %v (hint %q)", err, rehearse.Hint(err))
	}
	if v, err := s.Variant(""); err != nil || v.Name != Unsafe {
		t.Errorf(`Variant("") = %v, %v`, v, err)
	}
}

func TestRegisterRejectsBadEntries(t *testing.T) {
	for name, s := range map[string]Scenario{
		"duplicate":   {Name: "mdl-pileup", Story: "x", DefaultScale: 1, CIScale: 1, Variants: []Variant{{Name: Unsafe}}},
		"no story":    {Name: "x1", DefaultScale: 1, CIScale: 1, Variants: []Variant{{Name: Unsafe}}},
		"fixed first": {Name: "x2", Story: "x", DefaultScale: 1, CIScale: 1, Variants: []Variant{{Name: Fixed}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: register did not panic", name)
				}
			}()
			register(s)
		}()
	}
}
