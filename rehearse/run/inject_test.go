package run

import (
	"testing"
	"time"
)

func TestParseInjectionStatementAndLead(t *testing.T) {
	in, err := ParseInjection("long-txn=investments:12.5s@20240306#2,lead=3s")
	if err != nil {
		t.Fatal(err)
	}
	if in.Table != "investments" || in.Duration != 12500*time.Millisecond || in.Version != "20240306" || in.Statement != 2 || in.Lead != 3*time.Second {
		t.Errorf("parsed %+v", in)
	}
	if !in.before("20240306", "20240306", 2, false) || in.before("20240306", "20240306", 1, false) {
		t.Errorf("before: opens before statement 2 only")
	}
	plain, _ := ParseInjection("long-txn=investments:5s")
	if !plain.before("1", "1", 1, true) || plain.before("2", "2", 1, false) || plain.lead() != settle {
		t.Errorf("a plain injection opens before the first migration, %s ahead", settle)
	}
	for _, bad := range []string{
		"long-txn=investments:5s@20240306#0",
		"long-txn=investments:5s,lead=5s",
		"long-txn=investments:5s,lead=x",
		"long-txn=investments:5s,wait=1s",
	} {
		if _, err := ParseInjection(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
