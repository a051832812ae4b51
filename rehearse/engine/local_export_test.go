package engine

// SetPickPort replaces the port chooser for a test; the returned func
// restores it.
func SetPickPort(f func() (int, error)) (restore func()) {
	old := pickPort
	pickPort = f
	return func() { pickPort = old }
}
