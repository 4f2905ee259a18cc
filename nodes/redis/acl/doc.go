// Package acl is the ACL engine of the simulated Redis 7.0.15 node, a port
// of src/acl.c (with the ACL parts of server.c and networking.c): users,
// their flags and SHA-256 password hashes, the root permissions and 7.0's
// "(...)" selectors, key patterns (~, %R~, %W~, %RW~), channel patterns
// (&), command rules (+cmd, -cmd, +cmd|sub, +cmd|first-arg, ±@category,
// allcommands, nocommands), the permission check of every command, the
// ACL LOG, the ACL file, and the ACL command with its exact replies and
// error texts.
//
// # Division of labour with the node
//
// The package does no I/O, reads no clock and starts no goroutines. The
// node owns the command table and hands it over once as a Table
// (NewTable from CommandSpecs: names, subcommands, ACL categories,
// CMD_NO_AUTH), so the package never imports nodes/redis. What a command
// needs from the server (time, random bytes, the ACL file's bytes, how to
// resolve a command line for ACL DRYRUN) comes through Host; what the
// node must do afterwards (close connections of dropped users, re-check
// the pub/sub clients of a user whose channels shrank) comes back in a
// Result. Replies are small Reply trees that write themselves through
// ReplyWriter, which *resp.Writer satisfies.
//
//	ACL <sub> ...           ACL.Command(host, callerUser, argv)
//	AUTH                    ACL.Auth(argv, client)
//	HELLO ... AUTH u p      ACL.Authenticate(u, p, client, argv[0]), reply ErrWrongPass on failure
//	every command           user.Check(&Request{...}); on denial ACL.LogDenial, reply Verdict.Error
//	requirepass             ACL.SetRequirePass
//	aclfile at startup      ACL.LoadFile (an error aborts startup)
//
// # Invariants
//
//   - A user has exactly one of on/off, at most one of sanitize-payload
//     and skip-sanitize-payload, and a root selector first in its list.
//   - A *User is stable for the user's lifetime: SETUSER changes it in
//     place, and ACL LOAD copies the file's default user into the existing
//     default *User, so connections may hold the pointer.
//   - SETUSER and LOAD are all or nothing: rules are applied to a staging
//     copy (SETUSER) or a fresh user table (LOAD) and only installed when
//     every rule succeeded.
//   - Replaying a selector's description (ACL LIST) on a new selector
//     gives back the same command bitmap; the greedy category choice
//     follows acl.c and ties go to the earlier category.
//   - Wherever acl.c applies a C string function to an argument (strcasecmp,
//     strlen, "%s"), a NUL byte ends the argument here too; binary-safe
//     parts (passwords, key patterns' lengths) stay binary.
//
// # Where the output order differs from one server to the next
//
// Redis walks its command dict in hash order, and the hash seed is random
// per process, so the order of single-command rules in ACL LIST and ACL
// GETUSER and of ACL CAT <category> changes between runs of the real
// server. The package walks commands sorted by name, subcommands right
// after their container: one of the orders a real server could print. The
// rules themselves (which commands, which categories) do not depend on
// the order.
//
// # Debian's 7.0.15
//
// The behaviour is that of the redis-server 7.0.15 that Debian 12 ships,
// which carries the CVE-2024-31227 fix: "%~pattern" (no permission letter)
// is a syntax error instead of crashing the server later.
package acl
