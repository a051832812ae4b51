// Package datacache keeps filled datadirs: a server restored from a
// snapshot and filled with synthetic rows (datagen) is shut down cleanly and
// its datadir kept, keyed by everything that shapes it (Key), so the next
// rehearsal with the same key starts its server on a copy and goes straight
// to the load.
//
// Layout, under Cache.Dir (<cache dir>/data):
//
//	<id>/manifest.json   the key, the server, per table its rows and a sample checksum, the files
//	<id>/datadir/        the datadir, cleanly shut down
//	<id>/last-used       its modification time orders eviction
//	<id>.lock            shared while a copy is taken, exclusive to remove
//	.build-<pid>-<rand>/ an entry being built (renamed to <id> when complete)
//
// An entry is built in a temporary folder and renamed into place only when
// complete, so a crash, Ctrl-C or a full disk leaves no entry (and a stale
// build folder, removed once its owner is gone). Two processes building the
// same key both finish; the first rename wins and the other's folder is
// removed. An entry is checked when used: its files against the manifest
// before the copy, then the server started on the copy against the
// manifest's row counts and per-table sample checksums; a corrupt or partial
// entry is removed (ErrCorrupt) and the caller builds it again.
//
// The cache holds at most Cache.MaxSize bytes (DefaultMaxSize): the least
// recently used entries go first.
package datacache
