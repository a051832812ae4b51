package sqlsplit

import (
	"fmt"
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	cases := []struct {
		in   string
		ansi bool
		want string // kind:value, space-separated
	}{
		{"CREATE TABLE `a``b`.t1 (x int) -- c\n# d\n", false, "w:CREATE w:TABLE q:a`b p:. w:t1 p:( w:x w:int p:)"},
		{"CREATE /*!50100 DATABASE x */ TABLE /* no */ t", false, "w:CREATE w:DATABASE w:x w:TABLE w:t"},
		{"/*M!100100 SELECT */ 1.5e+3, 'it''s\\n'", false, "w:SELECT w:1.5e+3 p:, s:it's\n"},
		{`DEFINER='u'@'%' "x"`, false, "w:DEFINER p:= s:u v:@'%' s:x"},
		{`"x".y @@GLOBAL.sql_mode`, true, "q:x p:. w:y v:@@GLOBAL.sql_mode"},
	}
	for _, c := range cases {
		toks, err := Lex(c.in, c.ansi)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		var got []string
		for _, tk := range toks {
			got = append(got, fmt.Sprintf("%c:%s", tk.Kind, tk.Val))
			if tk.Kind == 'w' && c.in[tk.Start:tk.End] != tk.Val {
				t.Errorf("%q: token %q at %d:%d", c.in, tk.Val, tk.Start, tk.End)
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, strings.Join(got, " "), c.want)
		}
	}
	for _, bad := range []string{"'abc", "`abc", "/* x", `"x`} {
		if _, err := Lex(bad, false); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
