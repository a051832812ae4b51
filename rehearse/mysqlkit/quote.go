package mysqlkit

import "strings"

// Quote quotes a MySQL identifier in backticks, doubling any backtick in it.
func Quote(id string) string { return "`" + strings.ReplaceAll(id, "`", "``") + "`" }

// Qualified is schema.name, each quoted.
func Qualified(schema, name string) string { return Quote(schema) + "." + Quote(name) }
