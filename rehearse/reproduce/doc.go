// Package reproduce turns an incident's evidence (rehearse/evidence) into a
// rehearsal and says whether the rehearsal reproduced it: the statement
// that waited for its metadata lock, the session it waited behind, the
// writers that queued, and for how long, within a stated tolerance. The
// blocker becomes a long-txn injection at its observed lead and duration on
// the table it held; the load follows the incident's digests at their
// observed rate; the migrations are those the deploy ran. Fixes (--fix) are
// named changes to the rehearsal's options, rehearsed on the same evidence
// and compared side by side. The result is a result.Reproduction
// ("rehearse.reproduction/v1").
package reproduce
