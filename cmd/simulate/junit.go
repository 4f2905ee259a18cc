package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
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
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
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

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// junitReport turns a finished sweep into JUnit XML; arg is the SCENARIO
// argument as given (a name or a file), for the replay commands. A violation is a
// <failure> with the failing verdicts and the replay command; a framework
// error an <error>; a seed --fail-fast or an interrupt kept from running is
// <skipped>, and so is a seed whose checks could not decide (UNKNOWN): it was
// not judged, and it is counted in the "skipped" attribute with a message
// saying so.
func junitReport(scenario, arg string, set map[string]string, props []junitProperty, started time.Time, sum sweep.Summary, skippedWhy string) junitSuites {
	suite := junitSuite{
		Name: "simulate sweep " + scenario, Time: seconds(sum.Wall),
		Timestamp: started.UTC().Format("2006-01-02T15:04:05"), Properties: props,
		Failures: sum.Failed, Errors: sum.Errored, Skipped: len(sum.Skipped) + sum.Unknown,
	}
	classname := "simulate." + scenario
	for _, e := range sum.Entries {
		c := junitCase{Name: fmt.Sprintf("%s seed=%d", scenario, e.Seed), Classname: classname, Time: seconds(e.Wall)}
		replay := replayCommand(arg, e.Seed, set)
		switch e.Status() {
		case sweep.Errored:
			c.Error = &junitProblem{Message: firstLine(e.Err.Error()), Type: "framework", Text: e.Err.Error() + "\n\nreplay: " + replay + "\n"}
		case sweep.Fail:
			var b strings.Builder
			for _, v := range e.Result.Verdicts {
				if v.Outcome != scenarios.OK {
					fmt.Fprintf(&b, "%s %s: %s\n", v.Outcome, v.Check, v.Summary)
					for _, ev := range v.Evidence[:min(len(v.Evidence), 10)] {
						fmt.Fprintf(&b, "    %s\n", ev)
					}
				}
			}
			fmt.Fprintf(&b, "\n%s\nreplay: %s\n", e.Result.StatusLine(), replay)
			c.Failure = &junitProblem{Message: failedChecks(e), Type: "violation", Text: b.String()}
		case sweep.Unknown:
			c.Skipped = &junitProblem{Message: "UNKNOWN, not judged: " + failedChecks(e), Type: "unknown",
				Text: e.Result.StatusLine() + "\nreplay: " + replay + "\n"}
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, seed := range sum.Skipped {
		suite.Cases = append(suite.Cases, junitCase{
			Name: fmt.Sprintf("%s seed=%d", scenario, seed), Classname: classname, Time: seconds(0),
			Skipped: &junitProblem{Message: "not run: " + skippedWhy},
		})
	}
	suite.Tests = len(suite.Cases)
	return junitSuites{
		Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
}

func writeJUnit(path string, report junitSuites) error {
	b, err := xml.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	b = append([]byte(xml.Header), append(b, '\n')...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("--junit %s: %w", path, err)
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// failedChecks is a failing seed's one-line reason: "liveness: 2 violations;
// fifo: …".
func failedChecks(e sweep.Entry) string {
	var parts []string
	for _, v := range e.Result.Verdicts {
		switch v.Outcome {
		case scenarios.OK:
		case scenarios.Violation:
			parts = append(parts, fmt.Sprintf("%s: %s", v.Check, v.Summary))
		default:
			parts = append(parts, fmt.Sprintf("%s (%s): %s", v.Check, v.Outcome, v.Summary))
		}
	}
	return strings.Join(parts, "; ")
}
