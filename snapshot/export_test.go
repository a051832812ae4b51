package snapshot

// SetCountChunks shortens countRows' chunks for a test; the returned
// function puts them back.
func SetCountChunks(first, least int64) func() {
	f, m := firstCountChunk, minCountChunk
	firstCountChunk, minCountChunk = first, least
	return func() { firstCountChunk, minCountChunk = f, m }
}
