package reports

import (
	"fmt"
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

// The replication figures of a rehearsal with replicas (rehearse run
// --replicas): one line for the topology, one per statement and replica.

// replicationLine summarises the topology rehearsed and its run figures.
func replicationLine(rp *result.Replication) string {
	if rp == nil {
		return ""
	}
	if rp.GaleraNodes > 0 {
		return galeraLine(rp)
	}
	if rp.Replicas == 0 {
		return "Replicas: " + strings.Join(rp.Notes, "; ")
	}
	parts := []string{rp.Shape}
	if rp.From != "" {
		parts = append(parts, "asked by "+rp.From)
	}
	if rp.Capped != "" {
		parts = append(parts, "capped: "+rp.Capped)
	}
	parts = append(parts, fmt.Sprintf("peak lag %s (heartbeat every %s)", secs(rp.PeakLagS), millis(rp.HeartbeatMs)))
	if rp.ReplicaReads > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d replica reads stale (a row acknowledged by the primary %s earlier, missing on the replica)",
			rp.StaleReads, rp.Reads, millis(rp.StaleAfterMs)))
	}
	if rp.ProvisionS > 0 {
		parts = append(parts, fmt.Sprintf("provisioned in %s (clean shutdown %s, start %s, wiring %s)", secs(rp.ProvisionS), secs(rp.ShutdownS), secs(rp.StartS), secs(rp.WireS)))
	}
	if len(rp.Behind) > 0 {
		parts = append(parts, "not caught up at the end: "+strings.Join(rp.Behind, ", "))
	}
	return "Replicas: " + strings.Join(parts, "; ")
}

// galeraLine summarises a Galera rehearsal.
func galeraLine(rp *result.Replication) string {
	parts := []string{rp.Shape}
	if rp.From != "" {
		parts = append(parts, "asked by "+rp.From)
	}
	if rp.Capped != "" {
		parts = append(parts, "capped: "+rp.Capped)
	}
	parts = append(parts, fmt.Sprintf("each node's writer inserts every %s", millis(rp.NodeWriteMs)))
	if rp.ProvisionS > 0 {
		parts = append(parts, fmt.Sprintf("provisioned in %s (clean shutdown %s, seed %s, nodes started and synced %s)", secs(rp.ProvisionS), secs(rp.ShutdownS), secs(rp.SeedS), secs(rp.StartS)))
	}
	parts = append(parts, rp.Notes...)
	return "Galera: " + strings.Join(parts, "; ")
}

// galeraText is one statement's figures on one Galera node.
func galeraText(f result.GaleraNodeFigures) string {
	t := fmt.Sprintf("%s: longest write %s, %d of %d writes took 100 ms or more", f.Node, millis(f.LongestWriteMs), f.SlowWrites, f.Writes)
	if f.FailedWrites > 0 {
		t += fmt.Sprintf(", %d failed", f.FailedWrites)
	}
	if fc := f.FlowControl; fc != nil {
		t += "; " + flowText(fc)
	}
	return t
}

// flowText is one node's flow control over a statement's cluster window.
func flowText(fc *result.FlowControl) string {
	return fmt.Sprintf("flow control paused %s of %s, FC_PAUSE sent %d, received %d, receive queue up to %d", millis(fc.PausedMs), secs(fc.WindowS), fc.Sent, fc.Recv, fc.RecvQueueMax)
}

// flowCells are the Markdown cells of one node's flow control.
func flowCells(fc *result.FlowControl) string {
	if fc == nil {
		return "- | - | - |"
	}
	return fmt.Sprintf("%s | %d / %d | %d |", millis(fc.PausedMs), fc.Sent, fc.Recv, fc.RecvQueueMax)
}

// replicaText is one statement's figures on one replica.
func replicaText(f result.ReplicaFigures) string {
	var parts []string
	parts = append(parts, "peak lag "+secs(f.PeakLagS))
	if f.NotApplied {
		parts = append(parts, "not applied when the rehearsal ended")
	} else {
		parts = append(parts, "applied "+secs(f.CaughtUpS)+" after the primary")
	}
	if f.ApplyS > 0 {
		parts = append(parts, fmt.Sprintf("applier %s (%s)", secs(f.ApplyS), f.ApplySource))
	}
	if f.WritesQueued {
		q := "writes queued behind it"
		if f.QueuedWrites > 0 {
			q = fmt.Sprintf("%d writes queued behind it", f.QueuedWrites)
		}
		parts = append(parts, q)
	}
	if f.Reads > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d reads stale", f.StaleReads, f.Reads))
	}
	if f.PrimaryP99Ms > 0 {
		parts = append(parts, "primary write p99 during the apply "+millis(f.PrimaryP99Ms))
	}
	return f.Replica + ": " + strings.Join(parts, ", ")
}

// replicas writes the Markdown section: the topology, then a table of
// every statement's figures on every replica.
func (m *md) replicas(r *result.Report) {
	rp := r.Replication
	if rp == nil {
		return
	}
	line := replicationLine(rp)
	if rp.GaleraNodes > 0 {
		m.fold(fmt.Sprintf("Galera: %d nodes, wsrep_OSU_method=%s", rp.GaleraNodes, rp.OSUMethod), func(sub *md) {
			sub.try(mdText(line) + "\n\n")
			sub.try("| Statement | Node | Longest write | Writes ≥ 100 ms | Writes | Failed | Flow control paused | FC_PAUSE sent / received | Receive queue max |\n|---|---|---|---|---|---|---|---|---|\n")
			for _, mg := range r.Migrations {
				for _, s := range mg.Statements {
					for _, f := range s.Galera {
						sub.try(fmt.Sprintf("| `%s` | %s | %s | %d | %d | %d | %s\n", mdCode(stmtID(mg.Version, s.Index)), mdCell(f.Node),
							millis(f.LongestWriteMs), f.SlowWrites, f.Writes, f.FailedWrites, flowCells(f.FlowControl)))
					}
				}
			}
			sub.try("\n")
		})
		return
	}
	if rp.Replicas == 0 {
		m.try(mdText(line) + "\n\n")
		return
	}
	m.fold(fmt.Sprintf("Replicas: peak lag %s", secs(rp.PeakLagS)), func(sub *md) {
		sub.try(mdText(line) + "\n\n")
		sub.try("| Statement | Replica | Peak lag | Applied after | Applier | Writes queued | Stale reads |\n|---|---|---|---|---|---|---|\n")
		for _, mg := range r.Migrations {
			for _, s := range mg.Statements {
				for _, f := range s.Replicas {
					applied := secs(f.CaughtUpS)
					if f.NotApplied {
						applied = "not applied"
					}
					queued := "no"
					if f.WritesQueued {
						queued = fmt.Sprintf("yes (%d)", f.QueuedWrites)
					}
					stale := "-"
					if f.Reads > 0 {
						stale = fmt.Sprintf("%d of %d", f.StaleReads, f.Reads)
					}
					sub.try(fmt.Sprintf("| `%s` | %s | %s | %s | %s | %s | %s |\n", mdCode(stmtID(mg.Version, s.Index)), mdCell(f.Replica),
						secs(f.PeakLagS), applied, dash(applierCell(f)), queued, stale))
				}
			}
		}
		sub.try("\n")
	})
}

func applierCell(f result.ReplicaFigures) string {
	if f.ApplyS <= 0 {
		return ""
	}
	return secs(f.ApplyS) + " (" + f.ApplySource + ")"
}

// replicaSection is the terminal table's section: the topology, then each
// statement's figures on each replica.
func replicaSection(p *printer, r *result.Report) {
	rp := r.Replication
	if rp == nil {
		return
	}
	if rp.GaleraNodes > 0 {
		p.heading(fmt.Sprintf("Galera (%d nodes, wsrep_OSU_method=%s)", rp.GaleraNodes, rp.OSUMethod))
		p.wrapped("  ", replicationLine(rp))
		for _, mg := range r.Migrations {
			for _, s := range mg.Statements {
				for _, f := range s.Galera {
					p.wrapped(fmt.Sprintf("  %-14s ", stmtID(mg.Version, s.Index)), galeraText(f))
				}
			}
		}
		return
	}
	if rp.Replicas == 0 {
		p.heading(replicationLine(rp))
		return
	}
	p.heading(fmt.Sprintf("Replicas (%d, %s): peak lag %s", rp.Replicas, rp.Mode, secs(rp.PeakLagS)))
	p.wrapped("  ", replicationLine(rp))
	for _, mg := range r.Migrations {
		for _, s := range mg.Statements {
			for _, f := range s.Replicas {
				p.wrapped(fmt.Sprintf("  %-14s ", stmtID(mg.Version, s.Index)), replicaText(f))
			}
		}
	}
}
