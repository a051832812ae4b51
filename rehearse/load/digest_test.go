package load_test

import (
	"strings"
	"testing"

	"github.com/rehearse/rehearse/rehearse/load"
	"github.com/rehearse/rehearse/snapshot"
)

func TestProfileFromDigests(t *testing.T) {
	_, tb := setup(t, 0)
	snap := &snapshot.Snapshot{Schemas: []snapshot.Schema{{Name: "d", Tables: []snapshot.Table{*tb}}}}
	seen := func(d snapshot.Digest) snapshot.Digest {
		d.Schema, d.FirstSeen, d.LastSeen = "d", "2024-05-01 10:00:00.000000", "2024-05-01 10:01:40.000000" // 100 s
		return d
	}
	snap.Digests = []snapshot.Digest{
		seen(snapshot.Digest{Digest: "a", Count: 1000, Text: "INSERT INTO `t` ( `p_id` , `amount` , `code` , `created` ) VALUES (...)"}),
		seen(snapshot.Digest{Digest: "b", Count: 3000, Text: "UPDATE `d` . `t` SET `state` = ? , `note` = ? WHERE `id` = ?"}),
		seen(snapshot.Digest{Digest: "c", Count: 500, Text: "SELECT * FROM `t` WHERE `id` IN (...)"}),
		seen(snapshot.Digest{Digest: "d", Count: 500, Text: "SELECT `code` , `amount` FROM `t` WHERE `code` = ? AND `p_id` = ?"}),
		seen(snapshot.Digest{Digest: "e", Count: 10, Text: "DELETE FROM `t` WHERE `id` = ?"}),
		seen(snapshot.Digest{Digest: "f", Count: 10, Text: "SELECT `t` . `id` FROM `t` JOIN `p` ON `p` . `id` = `t` . `p_id` WHERE `p` . `name` = ?"}),
		seen(snapshot.Digest{Digest: "g", Count: 10, Text: "COMMIT"}),
		seen(snapshot.Digest{Digest: "h", Count: 10, Text: "SELECT `nope` FROM `t` WHERE `id` = ?"}),
		seen(snapshot.Digest{Digest: "i", Count: 10, Text: "UPDATE `t` SET `amount` = ? WHERE `created` > ?"}),
		// MariaDB 10.11 and MySQL write a run of literals as "?, ...", a
		// function call with its name quoted (captured from MariaDB 10.11).
		seen(snapshot.Digest{Digest: "j", Count: 10, Text: "INSERT INTO `t` ( `code` , `p_id` , `amount` , `created` ) VALUES ( `UUID` ( ) , ?, ... ) "}),
	}
	p, skipped, err := load.ProfileFromDigests(snap, load.DigestOptions{Scale: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": "INSERT INTO `d`.`t` (`p_id`, `amount`, `code`, `created`) VALUES (?, ?, ?, ?)",
		"b": "UPDATE `d`.`t` SET `state` = ?, `note` = ? WHERE `id` = ?",
		"c": "SELECT * FROM `d`.`t` WHERE `id` = ?",
		"d": "SELECT `code`, `amount` FROM `d`.`t` WHERE `code` = ? AND `p_id` = ?",
		"e": "DELETE FROM `d`.`t` WHERE `id` = ?",
		"j": "INSERT INTO `d`.`t` (`code`, `p_id`, `amount`, `created`) VALUES (?, ?, ?, ?)",
	}
	got := map[string]string{}
	for _, tp := range p.Templates {
		got[tp.Digest] = tp.SQL
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("digest %s:\n got %q\nwant %q", k, got[k], w)
		}
	}
	if len(p.Templates) != len(want) {
		t.Errorf("%d templates, want %d", len(p.Templates), len(want))
	}
	reasons := map[string]string{}
	for _, s := range skipped {
		reasons[s.Digest] = s.Reason
	}
	for k, frag := range map[string]string{"f": "single-table", "g": "not a row statement", "h": "nope", "i": "condition"} {
		if !strings.Contains(reasons[k], frag) {
			t.Errorf("digest %s skipped for %q, want a reason mentioning %q", k, reasons[k], frag)
		}
	}
	// (1000+3000+500+500+10+10)/100 s × 0.5
	if want := 25.10; p.Rate < want-0.01 || p.Rate > want+0.01 {
		t.Errorf("rate %.3f, want %.2f", p.Rate, want)
	}
}
