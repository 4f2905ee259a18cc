package sentinel

import "github.com/redsim/redsim/sim"

// siteTimerLate is a fault site (sim.Site): a sentinel's timer tick that
// runs late, as on a loaded host. Up to 500 ms stays under the TILT
// trigger (2 s between ticks), so it delays PINGs, INFO and hellos only.
var siteTimerLate = sim.DeclareSite("sentinel/timer-late",
	"a sentinel's timer tick runs up to 500 ms late, as on a loaded host: its PINGs, INFO requests and hellos go out later")
