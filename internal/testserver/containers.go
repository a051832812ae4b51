package testserver

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/moby/moby/client"

	"github.com/rehearse/rehearse/rehearse/engine"
)

// OwnContainers lists the containers this test process started (the
// docker engine's owner label) that still exist, running or not, as
// "id (image)": a test of the docker engine's exit paths wants none.
func OwnContainers(tb testing.TB) []string {
	tb.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		tb.Fatal(err)
	}
	defer cli.Close()
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", engine.LabelOwnerPID+"="+strconv.Itoa(os.Getpid())),
	})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, c := range list.Items {
		out = append(out, c.ID[:12]+" ("+c.Image+")")
	}
	return out
}
