package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
)

// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: one
// testsuite per sweep, one testcase per seed.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []JUnitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

// JUnitProperty is one name=value property of the suite (the seeds, the
// shard, each --set value).
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnitSweep is what a sweep's JUnit file reports.
type JUnitSweep struct {
	// Scenario names the suite ("simulate sweep NAME") and its cases.
	Scenario   string
	Properties []JUnitProperty
	Started    time.Time
	Wall       time.Duration
	// Entries are the seeds that ran, in seed order.
	Entries []SweepEntry
	// Skipped are seeds that did not run, and SkippedWhy says why
	// ("--fail-fast stopped the sweep at the first failure").
	Skipped    []uint64
	SkippedWhy string
}

// JUnit writes a sweep as JUnit XML. A violation is a <failure> with the
// failing verdicts, their evidence and the replay command; a framework error
// an <error>; a seed that did not run is <skipped>, and so is a seed whose
// checks could not decide (UNKNOWN): it was not judged, and its message says
// so.
func JUnit(w io.Writer, s JUnitSweep) error {
	suite := junitSuite{
		Name: "simulate sweep " + s.Scenario, Time: junitSeconds(s.Wall),
		Timestamp: s.Started.UTC().Format("2006-01-02T15:04:05"), Properties: s.Properties,
	}
	classname := "simulate." + s.Scenario
	for i := range s.Entries {
		e := &s.Entries[i]
		c := junitCase{Name: fmt.Sprintf("%s seed=%d", s.Scenario, e.Seed), Classname: classname, Time: junitSeconds(time.Duration(e.WallMS * float64(time.Millisecond)))}
		switch e.Status {
		case "error":
			suite.Errors++
			c.Error = &junitProblem{Message: firstLine(e.Err), Type: "framework", Text: e.Err + "\n\nreplay: " + e.Replay + "\n"}
		case "fail":
			suite.Failures++
			var b strings.Builder
			for _, v := range e.failed() {
				fmt.Fprintf(&b, "%s %s (%s): %s\n", v.Verdict, v.Checker, v.Kind, v.Summary)
				lines := v.Evidence.Lines()
				for _, ev := range lines[:min(len(lines), 10)] {
					fmt.Fprintf(&b, "    %s\n", ev)
				}
			}
			fmt.Fprintf(&b, "\nFAIL scenario=%s seed=%d hash=%s\nreplay: %s\n", e.Scenario, e.Seed, e.Hash, e.Replay)
			c.Failure = &junitProblem{Message: e.FailedChecks(), Type: checker.Violation.String(), Text: b.String()}
		case "unknown":
			suite.Skipped++
			c.Skipped = &junitProblem{Message: "UNKNOWN, not judged: " + e.FailedChecks(), Type: checker.Unknown.String(),
				Text: fmt.Sprintf("UNKNOWN scenario=%s seed=%d hash=%s\nreplay: %s\n", e.Scenario, e.Seed, e.Hash, e.Replay)}
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, seed := range s.Skipped {
		suite.Skipped++
		suite.Cases = append(suite.Cases, junitCase{
			Name: fmt.Sprintf("%s seed=%d", s.Scenario, seed), Classname: classname, Time: junitSeconds(0),
			Skipped: &junitProblem{Message: "not run: " + s.SkippedWhy},
		})
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{
		Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("reports: junit: %v", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func junitSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
