package checker

import (
	"strings"
	"testing"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

func hold(p int, from, until int64, token int64) history.Hold {
	return history.Hold{Process: p, Lock: "L", From: clock.Time(from) * ms, Until: clock.Time(until) * ms, Token: token}
}

func access(p int, at int64, token int64) history.Access {
	return history.Access{Process: p, Lock: "L", At: clock.Time(at) * ms, Token: token}
}

func TestMutualExclusion(t *testing.T) {
	tests := []struct {
		name  string
		holds []history.Hold
		want  Verdict
	}{
		{"overlapping", []history.Hold{hold(1, 0, 100, 0), hold(2, 50, 150, 0)}, Violation},
		{"touching", []history.Hold{hold(1, 0, 100, 0), hold(2, 100, 200, 0)}, Ok},
		{"disjoint", []history.Hold{hold(2, 300, 400, 0), hold(1, 0, 100, 0)}, Ok},
		{"same process re-acquiring", []history.Hold{hold(1, 0, 100, 0), hold(1, 50, 150, 0)}, Ok},
		{"inside a long hold", []history.Hold{hold(1, 0, 1000, 0), hold(1, 10, 20, 0), hold(2, 500, 600, 0)}, Violation},
		{"other locks do not conflict", []history.Hold{hold(1, 0, 100, 0), {Process: 2, Lock: "M", From: 50 * ms, Until: 150 * ms}}, Ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MutualExclusion(tt.holds)
			if r.Verdict != tt.want {
				t.Fatalf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
			if tt.want == Violation && (len(r.Evidence.Holds) != 2 || r.Evidence.Holds[0].Process == r.Evidence.Holds[1].Process) {
				t.Errorf("evidence is not the two holds of different processes: %+v", r.Evidence.Holds)
			}
		})
	}
}

func TestResourceSafety(t *testing.T) {
	// Process 1 holds [0,100), pauses past its validity; process 2 acquires
	// at 150 with a higher token.
	holds := []history.Hold{hold(1, 0, 100, 33), hold(2, 150, 250, 34)}
	tests := []struct {
		name   string
		writes []history.Access
		fenced bool
		want   Verdict
		says   string
	}{
		{"in order", []history.Access{access(1, 50, 33), access(2, 200, 34)}, false, Ok, ""},
		{"unfenced stale write after the next holder wrote", []history.Access{access(2, 200, 34), access(1, 210, 33)}, false, Violation, "process 1 wrote"},
		{"unfenced stale write before the next holder wrote", []history.Access{access(1, 160, 33), access(2, 200, 34)}, false, Violation, "had ended"},
		{"stale write with nobody else holding", []history.Access{access(1, 120, 33)}, false, Ok, ""},
		{"fenced stale write before the next holder wrote", []history.Access{access(1, 160, 33), access(2, 200, 34)}, true, Ok, ""},
		{"fenced token regression", []history.Access{access(2, 200, 34), access(1, 210, 33)}, true, Violation, "accepted token 33"},
		{"fenced token reused by another process", []history.Access{access(1, 50, 34), access(2, 200, 34)}, true, Violation, "token 34"},
		{"fenced holder writing twice", []history.Access{access(2, 200, 34), access(2, 210, 34)}, true, Ok, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ResourceSafety(holds, tt.writes, ResourceOptions{Fenced: tt.fenced})
			if r.Verdict != tt.want {
				t.Fatalf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
			if tt.want == Violation {
				if !strings.Contains(r.Summary, tt.says) {
					t.Errorf("summary does not say %q: %s", tt.says, r.Summary)
				}
				if len(r.Evidence.Accesses) < 1 {
					t.Errorf("no write in evidence: %+v", r.Evidence)
				}
			}
		})
	}
}

// TestUnfencedStaleWriteWhileAnEarlierHoldLasts: process 2 acquired first
// with a long validity, process 1 acquired during it (mutual exclusion is
// already broken) and wrote after its own short hold ended, while process 2
// still held the lock. The other holder's hold began before the writer's,
// and still the write is stale.
func TestUnfencedStaleWriteWhileAnEarlierHoldLasts(t *testing.T) {
	tests := []struct {
		name  string
		holds []history.Hold
		want  Verdict
	}{
		{"the earlier hold lasts past the write", []history.Hold{hold(2, 0, 300, 0), hold(1, 50, 100, 0)}, Violation},
		{"the earlier hold ended during the writer's", []history.Hold{hold(2, 0, 60, 0), hold(1, 50, 100, 0)}, Violation},
		{"the earlier hold ended before the writer acquired", []history.Hold{hold(2, 0, 40, 0), hold(1, 50, 100, 0)}, Ok},
		{"touching holds", []history.Hold{hold(2, 0, 50, 0), hold(1, 50, 100, 0)}, Ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ResourceSafety(tt.holds, []history.Access{access(1, 150, 0)}, ResourceOptions{})
			if r.Verdict != tt.want {
				t.Fatalf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
			if tt.want != Violation {
				return
			}
			if !strings.Contains(r.Summary, "process 1 wrote at 0.150000s whose hold [0.050000s, 0.100000s) had ended, after process 2's hold [0.000000s,") {
				t.Errorf("summary does not name the write and both holds: %s", r.Summary)
			}
			if len(r.Evidence.Holds) != 2 || len(r.Evidence.Accesses) != 1 || r.Evidence.Accesses[0].Process != 1 {
				t.Errorf("evidence is not the two holds and the stale write: %+v", r.Evidence)
			}
		})
	}
}

// TestFencedResourceOrdersHoldersByToken: process 2 finished acquiring first
// but fetched token 6 after process 1 fetched token 5 (a Redlock client gets
// its token after it records the hold), so the resource rightly accepted 5
// then 6.
func TestFencedResourceOrdersHoldersByToken(t *testing.T) {
	holds := []history.Hold{hold(1, 100, 300, 5), hold(2, 90, 300, 6)}
	r := ResourceSafety(holds, []history.Access{access(1, 110, 5), access(2, 120, 6)}, ResourceOptions{Fenced: true})
	if r.Verdict != Ok {
		t.Errorf("tokens 5 then 6: verdict %v, want ok: %s", r.Verdict, r.Summary)
	}
	r = ResourceSafety(holds, []history.Access{access(2, 110, 6), access(1, 120, 5)}, ResourceOptions{Fenced: true})
	if r.Verdict != Violation || !strings.Contains(r.Summary, "accepted token 5 from process 1") || metric(t, r, "out_of_order_writes") != 0 {
		t.Errorf("tokens 6 then 5: verdict %v, want one token violation: %s", r.Verdict, r.Summary)
	}
}

func TestLockLiveness(t *testing.T) {
	ops := []history.Op{
		op(1, history.Acquire, "L", none, 0, 10, ok, none),
		op(2, history.Acquire, "L", none, 5, 15, fail, none),
		op(2, history.Acquire, "L", none, 40, 50, fail, none),
		op(2, history.Acquire, "L", none, 300, 310, ok, none),
	}
	holds := []history.Hold{hold(1, 10, 100, 0), hold(2, 310, 400, 0)}
	r := LockLiveness(ops, holds, LockLivenessOptions{})
	if r.Verdict != Ok || metric(t, r, "acquire_rate") != 0.5 {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	// Process 2 wanted the lock from 5 to 310; nobody held it over [100, 310).
	if got := metric(t, r, "longest_gap_s"); got != 0.21 {
		t.Errorf("longest gap %vs, want 0.21s", got)
	}
	r = LockLiveness(ops, holds, LockLivenessOptions{MaxGap: 100 * ms.Duration()})
	if r.Verdict != Violation || r.Evidence.From != 100*ms || r.Evidence.To != 310*ms {
		t.Errorf("with a 100ms bound: verdict %v window [%v, %v): %s", r.Verdict, r.Evidence.From, r.Evidence.To, r.Summary)
	}
}
