package detlint

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer reports nondeterministic constructs in Redsim's deterministic
// packages; see the package doc for the rules.
var Analyzer = &analysis.Analyzer{
	Name: "detlint",
	Doc: "report nondeterminism in clock, sim, network and nodes: goroutines, channels, " +
		"select, sync, wall-clock time, global math/rand, crypto/rand, environment reads " +
		"and unjustified range over maps (silence a map range with //redsim:ordered <why>)",
	Run: run,
}

const (
	module = "github.com/redsim/redsim/"
	// exempt holds the real-time Env, whose job is to touch the real world.
	exempt = "sim/realenv"
	marker = "//redsim:ordered"
)

// boundPackage returns the module-relative path of pkgPath and whether the
// determinism rules bind it.
func boundPackage(pkgPath string) (string, bool) {
	rel, ok := strings.CutPrefix(pkgPath, module)
	if !ok || under(rel, exempt) {
		return "", false
	}
	for _, root := range []string{"clock", "sim", "network", "nodes"} {
		if under(rel, root) {
			return rel, true
		}
	}
	return "", false
}

// under matches whole path segments, so that "simulator" is not under "sim".
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

func run(pass *analysis.Pass) (any, error) {
	rel, ok := boundPackage(pass.Pkg.Path())
	if !ok {
		return nil, nil
	}
	for _, file := range pass.Files {
		// Tests drive worlds from outside (parallel seeds, timeouts); the code
		// they exercise is still checked in its own files.
		if strings.HasSuffix(pass.Fset.File(file.FileStart).Name(), "_test.go") {
			continue
		}
		c := &checker{pass: pass, rel: rel, notes: orderedNotes(pass.Fset, file), orderFree: map[*ast.Ident]bool{}}
		ast.Inspect(file, c.visit)
	}
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	rel  string
	// notes maps a line to the text after //redsim:ordered on it.
	notes map[int]string
	// orderFree holds callees of maps iterators whose order is discarded
	// (slices.Sorted(maps.Keys(m))); preorder sees the outer call first.
	orderFree map[*ast.Ident]bool
}

func (c *checker) oneGoroutine(pos token.Pos, what string) {
	c.pass.Reportf(pos, "%s in deterministic package %s: the world runs on one goroutine (docs/ARCHITECTURE.md section 1)", what, c.rel)
}

func (c *checker) visit(n ast.Node) bool {
	info := c.pass.TypesInfo
	switch n := n.(type) {
	case *ast.GoStmt:
		c.oneGoroutine(n.Pos(), "go statement")
	case *ast.SendStmt:
		c.oneGoroutine(n.Pos(), "channel send")
	case *ast.UnaryExpr:
		if n.Op == token.ARROW {
			c.oneGoroutine(n.Pos(), "channel receive")
		}
	case *ast.SelectStmt:
		c.oneGoroutine(n.Pos(), "select statement")
	case *ast.RangeStmt:
		switch info.TypeOf(n.X).Underlying().(type) {
		case *types.Chan:
			c.oneGoroutine(n.Pos(), "range over channel")
		case *types.Map:
			c.ordered(n.Pos(), "range over map "+types.ExprString(n.X), "sort the keys")
		}
	case *ast.CallExpr:
		callee := calleeIdent(n)
		if callee == nil {
			break
		}
		switch obj := info.Uses[callee].(type) {
		case *types.Builtin:
			if _, isChan := info.TypeOf(n).Underlying().(*types.Chan); isChan && obj.Name() == "make" {
				c.oneGoroutine(n.Pos(), "make(chan)")
			}
		case *types.Func:
			if discardsOrder(obj) {
				for _, arg := range n.Args {
					if call, ok := ast.Unparen(arg).(*ast.CallExpr); ok {
						if id := calleeIdent(call); id != nil {
							c.orderFree[id] = true
						}
					}
				}
			}
		}
	case *ast.Ident:
		c.checkUse(n)
	}
	return true
}

// checkUse reports a use of a forbidden package-level object. Going by the
// object, not the spelling, catches renamed and dot imports and spares a
// variable that happens to be called rand.
func (c *checker) checkUse(id *ast.Ident) {
	obj := c.pass.TypesInfo.Uses[id]
	if f, ok := obj.(*types.Func); ok {
		obj = f.Origin()
	}
	if obj == nil || obj.Pkg() == nil || obj.Pkg().Scope().Lookup(obj.Name()) != obj {
		return // not package-level: a local, field or method (r.Intn on a *rand.Rand is fine)
	}
	_, isFunc := obj.(*types.Func)
	name := obj.Pkg().Path() + "." + obj.Name()
	switch obj.Pkg().Path() {
	case "sync", "sync/atomic":
		c.oneGoroutine(id.Pos(), name)
	case "time":
		switch obj.Name() {
		case "Now", "Since", "Until":
			c.pass.Reportf(id.Pos(), "%s reads the wall clock; use the Env's Now()/Mono()", name)
		case "Sleep", "After", "AfterFunc", "Tick", "NewTicker", "NewTimer":
			c.pass.Reportf(id.Pos(), "%s waits on the wall clock; schedule a timer with the Env's After(d, fn)", name)
		}
	case "math/rand", "math/rand/v2":
		// Constructors (New, NewSource, NewPCG, NewChaCha8, NewZipf) build a
		// seeded generator; every other function draws from the global source.
		if isFunc && !strings.HasPrefix(obj.Name(), "New") {
			c.pass.Reportf(id.Pos(), "%s draws from the global random source; draw from a named PRNG stream (the Env's Rand())", name)
		}
	case "crypto/rand":
		c.pass.Reportf(id.Pos(), "%s is random by design and cannot be replayed; draw from a named PRNG stream (the Env's Rand())", name)
	case "os":
		switch obj.Name() {
		case "Getenv", "LookupEnv", "Environ", "ExpandEnv":
			c.pass.Reportf(id.Pos(), "%s reads the process environment; take the value as an option set by cmd/simulate", name)
		}
	case "maps":
		switch obj.Name() {
		case "Keys", "Values", "All":
			if !c.orderFree[id] {
				c.ordered(id.Pos(), name+" iterator", "wrap it in slices.Sorted")
			}
		}
	}
}

// ordered reports a random-order iteration at pos unless a justified
// //redsim:ordered note sits on its line or the line above.
func (c *checker) ordered(pos token.Pos, what, fix string) {
	line := c.pass.Fset.Position(pos).Line
	why, found := c.notes[line]
	if !found {
		why, found = c.notes[line-1]
	}
	switch {
	case !found:
		c.pass.Reportf(pos, "%s: iteration order is random; %s or add %s <why>", what, fix, marker)
	case why == "":
		c.pass.Reportf(pos, "%s on %s needs a justification: %s <why the order cannot matter>", marker, what, marker)
	}
}

func orderedNotes(fset *token.FileSet, file *ast.File) map[int]string {
	notes := map[int]string{}
	for _, group := range file.Comments {
		for _, com := range group.List {
			if _, why, ok := strings.Cut(com.Text, marker); ok {
				notes[fset.Position(com.Slash).Line] = strings.TrimSpace(why)
			}
		}
	}
	return notes
}

// discardsOrder tells whether a function consumes an iterator in a way its
// order cannot leak from: sorting it, or collecting it into a map.
func discardsOrder(f *types.Func) bool {
	if f.Pkg() == nil {
		return false
	}
	switch f.Pkg().Path() + "." + f.Name() {
	case "slices.Sorted", "slices.SortedFunc", "slices.SortedStableFunc", "maps.Collect", "maps.Insert":
		return true
	}
	return false
}

// calleeIdent returns the identifier naming the function a call calls, if any:
// f(), pkg.F(), x.M(), F[T]().
func calleeIdent(call *ast.CallExpr) *ast.Ident {
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		return f
	case *ast.SelectorExpr:
		return f.Sel
	}
	return nil
}
