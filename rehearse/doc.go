// Package rehearse holds what every part of a rehearsal shares: user-facing
// errors with hints, and the exit-code classes the command line maps them to.
// The rehearsal's machinery lives in sub-packages (docs/ARCHITECTURE.md lists
// them all): engine (throwaway servers), restore, datagen, load, locks,
// migrations, plan and run (the orchestrator).
package rehearse
