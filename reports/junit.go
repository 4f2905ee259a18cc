package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// JUnit XML as Jenkins, GitLab and GitHub test reporters read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes entries as JUnit XML: one testsuite named suite with one
// testcase per seed, named "SCENARIO seed=N". A failed seed has a failure
// element with its failed verdicts' summaries and evidence and the replay
// command; a seed stopped by a framework or usage error has an error element.
func JUnit(w io.Writer, suite string, entries []SweepEntry) error {
	es := sortedEntries(entries)
	s := junitSuite{Name: suite, Tests: len(es)}
	var total time.Duration
	for i := range es {
		e := &es[i]
		total += e.Duration
		c := junitCase{
			Name:      fmt.Sprintf("%s seed=%d", e.Scenario, e.Seed),
			Classname: suite,
			Time:      junitSeconds(e.Duration),
		}
		if e.Hash != "" {
			c.SystemOut = "hash=" + e.Hash + "\nreplay: " + e.Replay
		}
		switch e.status() {
		case "error":
			s.Errors++
			c.Error = &junitProblem{Message: firstLine(e.Err), Type: "error", Text: e.Err + replayLine(e)}
		case "fail":
			s.Failures++
			failed := e.failed()
			var text strings.Builder
			msg := "failed without a failed verdict"
			typ := OutcomeViolation
			for k, v := range failed {
				if k == 0 {
					msg, typ = v.Check+": "+v.Summary, v.Outcome
				}
				fmt.Fprintf(&text, "%s %s: %s\n", v.Check, v.Outcome, v.Summary)
				for _, ev := range v.Evidence {
					fmt.Fprintf(&text, "    %s\n", ev)
				}
			}
			if len(failed) > 1 {
				msg += fmt.Sprintf(" (and %d more)", len(failed)-1)
			}
			c.Failure = &junitProblem{Message: msg, Type: typ, Text: text.String() + replayLine(e)}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Time = junitSeconds(total)
	doc := junitSuites{Name: suite, Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("reports: junit: %v", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func replayLine(e *SweepEntry) string {
	if e.Replay == "" {
		return ""
	}
	return "\nreplay: " + e.Replay + "\n"
}

func junitSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
