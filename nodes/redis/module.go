package redis

// moduleCommands is MODULE. The node loads no modules: LIST is always
// empty, and LOAD, LOADEX and UNLOAD are refused, as Redis refuses them
// while enable-module-command is "no" (its default, which the node does
// not let anyone change); past that refusal, a load fails as a library
// that cannot be opened does, and an unload finds no such module.
var moduleCommands = []cmdSpec{
	{"module", -2, 0, nil, noKeys},
	{"module|list", 2, fadm, func(c *client, _ [][]byte) { c.w.WriteArrayLen(0) }, noKeys},
	{"module|load", -3, fadm, moduleLoadCommand, noKeys},
	{"module|loadex", -3, fadm, moduleLoadCommand, noKeys},
	{"module|unload", 3, fadm, func(c *client, _ [][]byte) {
		c.w.WriteError("ERR Error unloading module: no such module with that name")
	}, noKeys},
	{"module|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], moduleHelp) }, noKeys},
}

var moduleHelp = []string{
	"LIST",
	"    Return a list of loaded modules.",
	"LOAD <path> [<arg> ...]",
	"    Load a module library from <path>, passing to it any optional arguments.",
	"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
	"    Load a module library from <path>, while passing it module configurations and optional arguments.",
	"UNLOAD <name>",
	"    Unload a module.",
}

func moduleLoadCommand(c *client, _ [][]byte) {
	c.w.WriteError("ERR Error loading the extension. Please check the server logs.")
}

// protectedDenied is processCommand's check of CMD_PROTECTED commands:
// the reason to refuse cmd, or "". MODULE LOAD, LOADEX and UNLOAD are
// protected by enable-module-command, "no" on the node. DEBUG, which
// enable-debug-command protects in Redis, is allowed: the simulator's
// scenarios use DEBUG SLEEP.
func protectedDenied(cmd *command) string {
	switch cmd.name {
	case "module|load", "module|loadex", "module|unload":
		return "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
	}
	return ""
}
