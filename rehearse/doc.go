// Package rehearse holds what every part of a rehearsal shares: user-facing
// errors with hints, and the exit-code classes the command line maps them to.
// The rehearsal's machinery lives in sub-packages: engine (throwaway servers),
// and the packages that later issues add (restore, datagen, load, locks,
// migrations, run).
package rehearse
