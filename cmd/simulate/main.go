// Command simulate runs Redsim scenarios: see `simulate --help`.
package main

import (
	"os"
)

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
