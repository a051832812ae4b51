package scope

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// The parser reads neither triggers, functions and events nor procedure
// bodies with SIGNAL or RETURN. For those, object reads the statement's
// head (kind, name, table, parameters, schedule) itself, and splits the
// body into its simple statements and expressions, each of which the
// parser reads and the same checks confine. Whatever the split does not
// recognise is refused.

// object checks an object statement the parser cannot read; handled is
// false for any other statement.
func (c *checker) object(text string, toks []token) (edits []edit, handled bool, err error) {
	w := func(k int, kw string) bool { return k < len(toks) && toks[k].Word(kw) }
	i := 0
	switch {
	case w(0, "CREATE"):
		i = 1
		if w(i, "OR") && w(i+1, "REPLACE") {
			i += 2
		}
		if w(i, "DEFINER") {
			i = skipDefiner(toks, i)
		}
		if w(i, "AGGREGATE") {
			i++
		}
		if i >= len(toks) {
			return nil, false, nil
		}
		kind := strings.ToUpper(toks[i].Val)
		switch kind {
		case "TRIGGER", "FUNCTION", "PROCEDURE", "EVENT":
		case "TABLE":
			e, err := c.createTable(toks)
			return e, true, err
		default:
			return nil, false, nil
		}
		i++
		if w(i, "IF") && w(i+1, "NOT") && w(i+2, "EXISTS") {
			i += 3
		}
		var e []edit
		if e, i, err = c.name(toks, i); err != nil {
			return nil, true, err
		}
		edits = append(edits, e...)
		switch kind {
		case "TRIGGER":
			if !(w(i, "BEFORE") || w(i, "AFTER")) || !(w(i+1, "INSERT") || w(i+1, "UPDATE") || w(i+1, "DELETE")) || !w(i+2, "ON") {
				return nil, true, refusef("its trigger head cannot be read")
			}
			if e, i, err = c.name(toks, i+3); err != nil {
				return nil, true, err
			}
			edits = append(edits, e...)
			if !w(i, "FOR") || !w(i+1, "EACH") || !w(i+2, "ROW") {
				return nil, true, refusef("its trigger head cannot be read")
			}
			i += 3
			if w(i, "FOLLOWS") || w(i, "PRECEDES") {
				if e, i, err = c.name(toks, i+1); err != nil {
					return nil, true, err
				}
				edits = append(edits, e...)
			}
		case "EVENT":
			j := i
			for j < len(toks) && !toks[j].Word("DO") {
				j++
			}
			if err := noHeads(toks[i:j], "its schedule"); err != nil {
				return nil, true, err
			}
			if j == len(toks) {
				return nil, true, refusef("its event head cannot be read (no DO)")
			}
			i = j + 1
		default: // FUNCTION, PROCEDURE
			j, ok := closeParen(toks, i)
			if !ok {
				return nil, true, refusef("its parameter list cannot be read")
			}
			k := bodyStart(toks, j)
			if err := noHeads(toks[i:k], "its parameters and characteristics"); err != nil {
				return nil, true, err
			}
			i = k
		}
		e, err = c.body(text, toks, i)
		return append(edits, e...), true, err
	case w(0, "DROP") && (w(1, "TRIGGER") || w(1, "FUNCTION") || w(1, "EVENT")):
		i = 2
		if w(i, "IF") && w(i+1, "EXISTS") {
			i += 2
		}
		e, j, err := c.name(toks, i)
		if err == nil && j != len(toks) && !(j == len(toks)-1 && toks[j].Punct(";")) {
			err = refusef("it cannot be read")
		}
		return e, true, err
	case w(0, "ALTER") && (w(1, "EVENT") || w(1, "FUNCTION") || w(1, "PROCEDURE")):
		e, j, err := c.name(toks, 2)
		if err != nil {
			return nil, true, err
		}
		for k := j; k < len(toks); k++ {
			if toks[k].Word("DO") {
				e2, err := c.body(text, toks, k+1)
				if err := noHeads(toks[j:k], "its clauses"); err != nil {
					return nil, true, err
				}
				return append(e, e2...), true, err
			}
			if toks[k].Word("RENAME") && k+2 < len(toks) && toks[k+1].Word("TO") {
				e2, after, err := c.name(toks, k+2)
				if err != nil {
					return nil, true, err
				}
				e = append(e, e2...)
				if err := noHeads(toks[after:], "its clauses"); err != nil {
					return nil, true, err
				}
				return e, true, nil
			}
		}
		return e, true, noHeads(toks[j:], "its clauses")
	}
	return nil, false, nil
}

// name reads an object name [db.]name at toks[i]: db must be the scratch
// database or a snapshot database (rewritten).
func (c *checker) name(toks []token, i int) ([]edit, int, error) {
	if i >= len(toks) || !toks[i].Ident() {
		return nil, i, refusef("an object name cannot be read")
	}
	if i+2 < len(toks) && toks[i+1].Punct(".") && toks[i+2].Ident() {
		switch c.database(toks[i].Val) {
		case "scratch":
			return nil, i + 3, nil
		case "rewrite":
			return []edit{{toks[i].Start, toks[i].End, mysqlkit.Quote(c.s.Scratch)}}, i + 3, nil
		}
		return nil, i, otherDatabase(toks[i].Val)
	}
	return nil, i + 1, nil
}

func skipDefiner(toks []token, i int) int {
	i++ // DEFINER
	if i < len(toks) && toks[i].Punct("=") {
		i++
	}
	if i < len(toks) && (toks[i].Word("CURRENT_USER")) {
		i++
		if i+1 < len(toks) && toks[i].Punct("(") && toks[i+1].Punct(")") {
			i += 2
		}
		return i
	}
	if i < len(toks) {
		i++ // user
	}
	if i < len(toks) && toks[i].Kind == 'v' { // @host, lexed as a variable
		i++
	}
	return i
}

func noHeads(toks []token, where string) error {
	if len(heads(toks)) > 0 {
		return refusef("%s hold a qualified name (%s), which rehearse does not follow", where, toks[heads(toks)[0]].Val)
	}
	return nil
}

// closeParen returns the index after the parenthesised list at toks[i].
func closeParen(toks []token, i int) (int, bool) {
	if i >= len(toks) || !toks[i].Punct("(") {
		return i, false
	}
	depth := 0
	for ; i < len(toks); i++ {
		switch {
		case toks[i].Punct("("):
			depth++
		case toks[i].Punct(")"):
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return i, false
}

// bodyStarters begin a routine's body after its parameters, return type
// and characteristics.
var bodyStarters = map[string]bool{
	"BEGIN": true, "RETURN": true, "SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true, "REPLACE": true,
	"CALL": true, "IF": true, "CASE": true, "WHILE": true, "LOOP": true, "REPEAT": true, "DO": true, "ALTER": true,
	"CREATE": true, "DROP": true, "TRUNCATE": true, "RENAME": true, "PREPARE": true, "EXECUTE": true, "DEALLOCATE": true,
	"LOCK": true, "UNLOCK": true, "START": true, "COMMIT": true, "ROLLBACK": true, "SIGNAL": true, "RESIGNAL": true,
	"WITH": true, "VALUES": true, "ANALYZE": true, "OPTIMIZE": true, "LOAD": true, "FLUSH": true, "KILL": true,
	"GRANT": true, "REVOKE": true, "USE": true, "HANDLER": true, "SET": true,
}

func bodyStart(toks []token, i int) int {
	for ; i < len(toks); i++ {
		t := toks[i]
		if i+1 < len(toks) && t.Ident() && toks[i+1].Punct(":") {
			return i // label:
		}
		if t.Kind != 'w' || !bodyStarters[strings.ToUpper(t.Val)] {
			continue
		}
		if t.Word("SET") && (i > 0 && (toks[i-1].Word("CHARACTER") || toks[i-1].Word("CHAR")) || i+1 < len(toks) && toks[i+1].Punct("(")) {
			continue // CHARACTER SET ..., a SET(...) type
		}
		if t.Word("RETURN") && i > 0 && toks[i-1].Word("RETURNS") {
			continue
		}
		return i
	}
	return i
}

// piece is a part of a body the parser reads on its own.
type piece struct {
	start, end int  // in the text
	expr       bool // an expression: read as SELECT <expr>
}

// body splits the compound statement at toks[i:] into pieces and checks them.
func (c *checker) body(text string, toks []token, i int) ([]edit, error) {
	b := &walker{toks: toks}
	j, err := b.stmt(i)
	if err != nil {
		return nil, err
	}
	if j < len(toks) && !(j == len(toks)-1 && toks[j].Punct(";")) {
		return nil, refusef("its body cannot be read past %q", toks[j].Val)
	}
	// The body's user variables: assignments and PREPAREs anywhere in it.
	var fs []*found
	for _, p := range b.pieces {
		if p.expr {
			continue
		}
		if nodes, _, err := c.parse(text[p.start:p.end]); err == nil {
			roots := make([]ast.Node, len(nodes))
			for k, n := range nodes {
				roots[k] = n
			}
			fs = append(fs, collect(roots...))
		}
	}
	vars := c.varsOf(fs)
	var edits []edit
	for _, p := range b.pieces {
		src, off := text[p.start:p.end], p.start
		if p.expr {
			src, off = "SELECT "+src, p.start-len("SELECT ")
		}
		e, err := c.statement(src, vars)
		if err != nil {
			return nil, err
		}
		edits = append(edits, shift(e, off)...)
	}
	return edits, nil
}

// walker reads a compound statement's structure.
type walker struct {
	toks   []token
	pieces []piece
}

func (b *walker) w(i int, kw string) bool { return i < len(b.toks) && b.toks[i].Word(kw) }

// stmt reads one statement at i and returns the index after it (and its
// ';', if any).
func (b *walker) stmt(i int) (int, error) {
	t := b.toks
	if i >= len(t) {
		return i, refusef("its body is empty")
	}
	if i+1 < len(t) && t[i].Ident() && t[i+1].Punct(":") {
		i += 2 // label
	}
	semi := func(j int) int {
		if j < len(t) && t[j].Punct(";") {
			return j + 1
		}
		return j
	}
	endLabel := func(j int) int {
		if j < len(t) && t[j].Ident() && !t[j].Punct(";") && !b.w(j, "END") && !b.w(j, "ELSE") && !b.w(j, "ELSEIF") && !b.w(j, "WHEN") && !b.w(j, "UNTIL") {
			if j+1 >= len(t) || t[j+1].Punct(";") {
				return j + 1
			}
		}
		return j
	}
	switch {
	case b.w(i, "BEGIN"):
		i++
		if b.w(i, "NOT") && b.w(i+1, "ATOMIC") {
			i += 2
		}
		j, err := b.list(i, "END")
		if err != nil {
			return j, err
		}
		return semi(endLabel(j + 1)), nil
	case b.w(i, "IF"):
		j := i
		for {
			k, err := b.expr(j+1, "THEN")
			if err != nil {
				return k, err
			}
			k, err = b.list(k+1, "ELSEIF", "ELSE", "END")
			if err != nil {
				return k, err
			}
			j = k
			if b.w(j, "ELSE") {
				if j, err = b.list(j+1, "END"); err != nil {
					return j, err
				}
			}
			if b.w(j, "END") {
				if !b.w(j+1, "IF") {
					return j, refusef("END without IF")
				}
				return semi(j + 2), nil
			}
		}
	case b.w(i, "CASE"):
		j := i + 1
		if !b.w(j, "WHEN") {
			k, err := b.expr(j, "WHEN")
			if err != nil {
				return k, err
			}
			j = k
		}
		for b.w(j, "WHEN") {
			k, err := b.expr(j+1, "THEN")
			if err != nil {
				return k, err
			}
			if j, err = b.list(k+1, "WHEN", "ELSE", "END"); err != nil {
				return j, err
			}
		}
		if b.w(j, "ELSE") {
			var err error
			if j, err = b.list(j+1, "END"); err != nil {
				return j, err
			}
		}
		if !b.w(j, "END") || !b.w(j+1, "CASE") {
			return j, refusef("CASE without END CASE")
		}
		return semi(j + 2), nil
	case b.w(i, "WHILE"):
		k, err := b.expr(i+1, "DO")
		if err != nil {
			return k, err
		}
		j, err := b.list(k+1, "END")
		if err != nil || !b.w(j+1, "WHILE") {
			return j, refusef("WHILE without END WHILE")
		}
		return semi(endLabel(j + 2)), nil
	case b.w(i, "LOOP"):
		j, err := b.list(i+1, "END")
		if err != nil || !b.w(j+1, "LOOP") {
			return j, refusef("LOOP without END LOOP")
		}
		return semi(endLabel(j + 2)), nil
	case b.w(i, "REPEAT"):
		j, err := b.list(i+1, "UNTIL")
		if err != nil {
			return j, err
		}
		k, err := b.expr(j+1, "END")
		if err != nil || !b.w(k+1, "REPEAT") {
			return k, refusef("REPEAT without END REPEAT")
		}
		return semi(endLabel(k + 2)), nil
	case b.w(i, "RETURN"):
		return b.exprTo(i + 1)
	case b.w(i, "DECLARE"):
		end := b.end(i)
		for k := i; k < end; k++ {
			switch {
			case b.w(k, "HANDLER"):
				k++
				if !b.w(k, "FOR") {
					return k, refusef("DECLARE ... HANDLER without FOR")
				}
				for k++; k < len(t); k++ { // conditions
					if b.w(k, "SQLSTATE") {
						k++
						if b.w(k, "VALUE") {
							k++
						}
					} else if b.w(k, "NOT") {
						k++
					}
					if k+1 < len(t) && t[k+1].Punct(",") {
						k++
						continue
					}
					break
				}
				if err := noHeads(t[i:k+1], "its handler's conditions"); err != nil {
					return k, err
				}
				return b.stmt(k + 1)
			case b.w(k, "CURSOR") && b.w(k+1, "FOR"):
				b.add(k+2, end, false)
				return semi(end), nil
			case b.w(k, "DEFAULT"):
				if err := noHeads(t[i:k], "its declarations"); err != nil {
					return k, err
				}
				b.add(k+1, end, true)
				return semi(end), nil
			}
		}
		return semi(end), noHeads(t[i:end], "its declarations")
	case b.w(i, "LEAVE"), b.w(i, "ITERATE"), b.w(i, "OPEN"), b.w(i, "CLOSE"), b.w(i, "FETCH"), b.w(i, "SIGNAL"), b.w(i, "RESIGNAL"):
		end := b.end(i)
		return semi(end), noHeads(t[i:end], "it")
	case b.w(i, "SET"):
		end := b.end(i)
		// SET NEW.col = ... (triggers): the parser reads SET only without
		// NEW/OLD targets; split the assignments into expressions then.
		if isNewOld(t[i+1 : end]) {
			return semi(end), b.assignments(i+1, end)
		}
		b.add(i, end, false)
		return semi(end), nil
	}
	end := b.end(i)
	if end == i {
		return i, refusef("its body cannot be read at %q", t[i].Val)
	}
	b.add(i, end, false)
	return semi(end), nil
}

// list reads statements until one of the words (not consumed).
func (b *walker) list(i int, until ...string) (int, error) {
	for i < len(b.toks) {
		for _, u := range until {
			if b.w(i, u) {
				return i, nil
			}
		}
		j, err := b.stmt(i)
		if err != nil {
			return j, err
		}
		if j <= i {
			return j, refusef("its body cannot be read at %q", b.toks[i].Val)
		}
		i = j
	}
	return i, refusef("its body ends before %s", strings.Join(until, "/"))
}

// end is the index of the ';' ending the simple statement at i (or the
// end of the tokens), outside parentheses.
func (b *walker) end(i int) int {
	depth := 0
	for ; i < len(b.toks); i++ {
		switch {
		case b.toks[i].Punct("("):
			depth++
		case b.toks[i].Punct(")"):
			depth--
		case b.toks[i].Punct(";") && depth == 0:
			return i
		}
	}
	return i
}

// expr reads an expression up to the word stop (outside parentheses and
// CASE ... END) and returns stop's index.
func (b *walker) expr(i int, stop string) (int, error) {
	depth, cases := 0, 0
	for j := i; j < len(b.toks); j++ {
		t := b.toks[j]
		switch {
		case t.Punct("("):
			depth++
		case t.Punct(")"):
			depth--
		case depth == 0 && t.Word("CASE"):
			cases++
		case depth == 0 && cases > 0 && t.Word("END"):
			cases--
		case depth == 0 && cases == 0 && t.Word(stop):
			if j == i {
				return j, refusef("an empty expression before %s", stop)
			}
			b.add(i, j, true)
			return j, nil
		case t.Punct(";") && depth == 0:
			return j, refusef("an expression without %s", stop)
		}
	}
	return len(b.toks), refusef("an expression without %s", stop)
}

// exprTo reads an expression up to ';' or the end.
func (b *walker) exprTo(i int) (int, error) {
	end := b.end(i)
	if end == i {
		return i, refusef("an empty expression")
	}
	b.add(i, end, true)
	if end < len(b.toks) {
		end++
	}
	return end, nil
}

// assignments splits SET a = x, NEW.b = y into its expressions.
func (b *walker) assignments(i, end int) error {
	t := b.toks
	start := i
	depth := 0
	flush := func(j int) error {
		eq := -1
		for k := start; k < j; k++ {
			if t[k].Punct("=") || t[k].Punct(":") && k+1 < j && t[k+1].Punct("=") {
				eq = k
				break
			}
		}
		if eq < 0 {
			return refusef("a SET it cannot read")
		}
		target := t[start:eq]
		if len(target) != 1 && !(len(target) == 3 && isNewOld(target)) {
			return refusef("a SET of %q, which rehearse does not follow", t[start].Val)
		}
		if target[0].Kind == 'v' {
			return refusef("a SET of a variable next to NEW/OLD, which rehearse does not follow")
		}
		v := eq + 1
		if t[eq].Punct(":") {
			v++
		}
		if v >= j {
			return refusef("a SET without a value")
		}
		b.add(v, j, true)
		return nil
	}
	for j := i; j < end; j++ {
		switch {
		case t[j].Punct("("):
			depth++
		case t[j].Punct(")"):
			depth--
		case t[j].Punct(",") && depth == 0:
			if err := flush(j); err != nil {
				return err
			}
			start = j + 1
		}
	}
	return flush(end)
}

// isNewOld reports whether toks begin with NEW. or OLD. (a trigger's row).
func isNewOld(toks []token) bool {
	return len(toks) >= 2 && (toks[0].Word("NEW") || toks[0].Word("OLD")) && toks[1].Punct(".")
}

func (b *walker) add(i, j int, expr bool) {
	if i >= j {
		return
	}
	b.pieces = append(b.pieces, piece{start: b.toks[i].Start, end: b.toks[j-1].End, expr: expr})
}

// createTable checks a CREATE TABLE the parser cannot read (MariaDB's
// syntax, say) by its tokens: a table definition names other tables only
// in REFERENCES (and a MERGE table's UNION), so a qualified name must be
// the snapshot's database (rewritten) or the scratch database, and the
// options that put a table elsewhere are refused.
func (c *checker) createTable(toks []token) ([]edit, error) {
	var edits []edit
	for _, i := range heads(toks) {
		if i+3 < len(toks) && toks[i+3].Punct(".") {
			return nil, refusef("it holds a three-part name %s.%s.%s", toks[i].Val, toks[i+2].Val, toks[i+4].Val)
		}
		switch c.database(toks[i].Val) {
		case "rewrite":
			edits = append(edits, edit{toks[i].Start, toks[i].End, mysqlkit.Quote(c.s.Scratch)})
		case "":
			return nil, refusef("it names %s.%s: another database, or a column qualified by its table, which rehearse does not follow in a statement its parser cannot read", toks[i].Val, toks[i+2].Val)
		}
	}
	for i, t := range toks {
		switch {
		case (t.Word("DATA") || t.Word("INDEX")) && i+1 < len(toks) && toks[i+1].Word("DIRECTORY"):
			return nil, refusef("DATA/INDEX DIRECTORY puts files outside the server's data directory")
		case t.Word("CONNECTION"), t.Word("UNION") && i+1 < len(toks) && (toks[i+1].Punct("=") || toks[i+1].Punct("(")):
			return nil, refusef("CONNECTION or UNION= makes the table another server's or other tables'")
		case t.Word("ENGINE") || t.Word("TYPE"):
			k := i + 1
			if k < len(toks) && toks[k].Punct("=") {
				k++
			}
			if k < len(toks) {
				if err := remoteEngine(toks[k].Val); err != nil {
					return nil, err
				}
			}
		case t.Word("SELECT") || t.Word("LIKE"):
			return nil, refusef("CREATE TABLE ... SELECT/LIKE that the parser cannot read")
		}
	}
	return edits, nil
}
