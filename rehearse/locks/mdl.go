package locks

import "strings"

// The metadata-lock types of a table, in the order of the server's
// compatibility matrices (sql/mdl.cc).
var mdlTypes = []string{"SHARED", "SHARED_HIGH_PRIO", "SHARED_READ", "SHARED_WRITE", "SHARED_WRITE_LOW_PRIO",
	"SHARED_UPGRADABLE", "SHARED_READ_ONLY", "SHARED_NO_WRITE", "SHARED_NO_READ_WRITE", "EXCLUSIVE"}

// grantedConflict[r][g] is '-' when a request of type r cannot be granted
// while another session holds g.
var grantedConflict = []string{
	"+++++++++-", // S
	"+++++++++-", // SH
	"++++++++--", // SR
	"++++++----", // SW
	"++++++----", // SWLP
	"+++++-+---", // SU
	"+++--+++--", // SRO
	"+++---+---", // SNW
	"++--------", // SNRW
	"----------", // X
}

// pendingConflict[r][p] is '-' when a request of type r must wait behind
// another session's pending request of type p (pending requests have
// priority: writers queue behind a waiting ALTER).
var pendingConflict = []string{
	"++++++++-" + "-", // S
	"+++++++++" + "+", // SH
	"++++++++-" + "-", // SR
	"+++++++--" + "-", // SW
	"++++++---" + "-", // SWLP
	"+++++++++" + "-", // SU
	"+++-++++-" + "-", // SRO
	"+++++++++" + "-", // SNW
	"+++++++++" + "-", // SNRW
	"+++++++++" + "+", // X
}

func mdlIndex(t string) int {
	t = strings.ToUpper(strings.TrimPrefix(strings.ToUpper(t), "MDL_"))
	for i, n := range mdlTypes {
		if n == t {
			return i
		}
	}
	return -1
}

// conflicts reports whether a request of type req waits for a lock of type
// other held (granted) or requested earlier (pending) by another session.
// Unknown types conflict only with EXCLUSIVE.
func conflicts(req, other string, granted bool) bool {
	r, o := mdlIndex(req), mdlIndex(other)
	if r < 0 || o < 0 {
		return r == len(mdlTypes)-1 || o == len(mdlTypes)-1
	}
	if granted {
		return grantedConflict[r][o] == '-'
	}
	return pendingConflict[r][o] == '-'
}

// IsWriteLock reports whether a metadata-lock type is what a DML write
// takes (SHARED_WRITE, SHARED_WRITE_LOW_PRIO) or a row lock ("ROW").
func IsWriteLock(t string) bool {
	switch strings.ToUpper(t) {
	case "SHARED_WRITE", "SHARED_WRITE_LOW_PRIO", "ROW":
		return true
	}
	return false
}
