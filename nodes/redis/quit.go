package redis

// quitCommands is QUIT. Redis 7.0 runs it as any other command (it is
// counted in commandstats and shown to monitors; inside MULTI it is not
// queued): the reply is +OK and the connection closes once it is written.
var quitCommands = []cmdSpec{
	{"quit", -1, flagNoAuth | flagNoScript | flagStale, func(c *client, _ [][]byte) {
		c.w.WriteOK()
		c.closing = true
	}, noKeys},
}
