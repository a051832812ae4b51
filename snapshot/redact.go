package snapshot

import (
	"net"
	"strings"
)

// RedactHost keeps enough of a server address to tell environments apart
// ("db-***:3306") without recording the host name: the first three
// characters of the host, "***", and the port. A DSN's user and password are
// never part of what it is given.
func RedactHost(addr string) string {
	if addr == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if strings.HasPrefix(host, "/") { // unix socket
		host = "socket"
	}
	keep := 3
	if len(host) < keep {
		keep = len(host)
	}
	out := host[:keep] + "***"
	if port != "" {
		out += ":" + port
	}
	return out
}
