package main

import (
	"fmt"
	"io"
	"os"

	rehearsal "github.com/rehearse/rehearse/rehearse/run"
)

// defaultConfig is the rehearse.yaml every command that takes --config
// reads when --config is not given and the current folder has one.
const defaultConfig = "rehearse.yaml"

// readConfig is how every command finds and reads rehearse.yaml
// (docs/config.md): the file --config names, else ./rehearse.yaml when it
// exists (said on errOut), else none (nil). The reading itself is
// rehearsal.ReadConfig's, the one loader; its errors name the file and line.
func readConfig(path string, errOut io.Writer) (*rehearsal.Config, error) {
	if path == "" {
		if st, err := os.Stat(defaultConfig); err != nil || st.IsDir() {
			return nil, nil
		}
		path = defaultConfig
		fmt.Fprintf(errOut, "rehearse: reading ./%s (found in the current folder; --config names another)\n", defaultConfig)
	}
	return rehearsal.ReadConfig(path)
}

// firstAdoptionUsage is the --first-adoption flag's help.
const firstAdoptionUsage = "this release is the migration runner's first on production (no history table of it yet): every migration is pending (rehearse.yaml: history: {first_adoption: true})"

// configUsage is the --config flag's help, the same on every command.
const configUsage = "rehearse.yaml with the same settings; flags win (default: ./rehearse.yaml when present; docs/config.md)"
