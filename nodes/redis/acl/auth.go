package acl

// ErrWrongPass is the reply of AUTH and HELLO AUTH to bad credentials or
// a disabled user.
const ErrWrongPass = "WRONGPASS invalid username-password pair or user is disabled."

// ErrHelloNoAuth is HELLO's reply when the client is still not
// authenticated after its options.
const ErrHelloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"

// ErrNoAuth is the reply to a command other than AUTH and HELLO (and
// other no-auth commands) while AuthRequired holds and the client has not
// authenticated.
const ErrNoAuth = "NOAUTH Authentication required."

// Auth runs AUTH [username] password (authCommand) for client c. On
// success it returns the user the connection is now authenticated as, and
// +OK; otherwise a nil user and the error reply (a failed check is also
// logged in the ACL log).
func (a *ACL) Auth(argv [][]byte, c Client) (*User, Reply) {
	switch len(argv) {
	case 2:
		if a.def.NoPass() {
			return nil, Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		}
		if u, ok := a.Authenticate([]byte("default"), argv[1], c, argv[0]); ok {
			return u, OK()
		}
	case 3:
		if u, ok := a.Authenticate(argv[1], argv[2], c, argv[0]); ok {
			return u, OK()
		}
	default:
		if len(argv) > 3 {
			return nil, Err("ERR syntax error")
		}
		return nil, Err("ERR wrong number of arguments for 'auth' command")
	}
	return nil, Err(ErrWrongPass)
}
