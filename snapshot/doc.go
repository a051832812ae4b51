// Package snapshot captures a MySQL or MariaDB server into a versioned,
// row-free snapshot document (format rehearse.snapshot/v1), loads and
// validates such documents, and compares two of them (environment parity).
//
// It never starts servers and never runs migrations; capture is read-only by
// construction.
package snapshot
