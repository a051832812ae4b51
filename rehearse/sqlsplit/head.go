package sqlsplit

// head recognises compound statements from their leading words and tracks
// BEGIN ... END nesting in their bodies, so that a ';' inside a body does
// not end the statement when no DELIMITER was set.
type head struct {
	words      int // leading words seen while undecided
	decided    bool
	first      byte // 'c' CREATE/ALTER, 'b' BEGIN
	compound   bool
	depth      int
	pendingEnd bool // saw END; the next token says whether it closes a BEGIN/CASE
}

// open resolves a pending END and reports whether a body is still open.
func (h *head) open() bool {
	h.other()
	return h.compound && h.depth > 0
}

// other is any significant token that is not a word.
func (h *head) other() {
	if h.pendingEnd {
		h.pendingEnd = false
		if h.depth > 0 {
			h.depth--
		}
	}
}

// word handles a word; ident is true when it cannot be a keyword (it
// follows '.' or '@').
func (h *head) word(w []byte, ident bool) {
	if !h.decided {
		h.classify(w)
		return
	}
	if !h.compound {
		return
	}
	if h.pendingEnd {
		h.pendingEnd = false
		switch {
		case eqFold(w, "IF"), eqFold(w, "LOOP"), eqFold(w, "WHILE"), eqFold(w, "REPEAT"), eqFold(w, "FOR"):
			// END IF / END LOOP ...: those openers are not counted.
		default: // END, END CASE, END label
			if h.depth > 0 {
				h.depth--
			}
		}
		return
	}
	if ident {
		return
	}
	switch {
	case eqFold(w, "BEGIN"), eqFold(w, "CASE"):
		h.depth++
	case eqFold(w, "END"):
		h.pendingEnd = true
	}
}

func (h *head) classify(w []byte) {
	if allDigits(w) {
		return // the version of a /*!50003 comment
	}
	h.words++
	if h.words == 1 {
		switch {
		case eqFold(w, "CREATE"), eqFold(w, "ALTER"):
			h.first = 'c'
		case eqFold(w, "BEGIN"):
			h.first = 'b'
		default:
			h.decided = true
		}
		return
	}
	if h.first == 'b' { // BEGIN NOT ATOMIC (MariaDB) vs BEGIN [WORK]
		h.decided = true
		if eqFold(w, "NOT") {
			h.compound, h.depth = true, 1
		}
		return
	}
	for _, k := range routineKinds {
		if eqFold(w, k) {
			h.decided, h.compound = true, true
			return
		}
	}
	for _, k := range otherKinds {
		if eqFold(w, k) {
			h.decided = true
			return
		}
	}
	if h.words > 16 {
		h.decided = true
	}
}

var (
	routineKinds = []string{"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"}
	otherKinds   = []string{"TABLE", "VIEW", "INDEX", "UNIQUE", "FULLTEXT", "SPATIAL", "DATABASE", "SCHEMA",
		"USER", "ROLE", "SERVER", "TABLESPACE", "SEQUENCE", "TEMPORARY", "LOGFILE", "RESOURCE", "ONLINE",
		"OFFLINE", "IGNORE", "INSTANCE", "SYNONYM"}
)

func allDigits(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(w) > 0
}
