// Package scenarios is the incident library: the classic MySQL and MariaDB
// migration disasters, each shipped as a runnable, self-checking rehearsal.
//
// A scenario is one folder of the embedded library (library/<name>/) holding
// production's snapshot (and, where the story needs it, another
// environment's), the migrations in golang-migrate format in an unsafe
// variant (migrations/) and a fixed one (fixed/), one rehearse.yaml
// configuration per variant (the load, the injected faults, the gates) and
// the expectations (expect.yaml): assertions on the rehearsal's result
// document that must hold for the scenario to count as reproduced.
//
// Scenarios are registered by name in Go, one small file each (s1_*.go ...),
// with the one-line story, the default scale and the expected outcome of
// every variant. The package never special-cases anything in rehearse/: a
// scenario is only inputs for an ordinary rehearsal plus the assertions that
// Check evaluates on its report.
package scenarios
