package acl

import (
	"fmt"
	"strings"
)

// Categories is a set of ACL categories, one bit per category in the
// order of CategoryNames (ACL_CATEGORY_* in server.h).
type Categories uint64

// CategoryNames are Redis 7.0's ACL categories in the order ACL CAT lists
// them. The order also decides which category wins when two fit a user's
// command bitmap equally well in ACL LIST, so it must not change.
var CategoryNames = [...]string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
	"fast", "slow", "blocking", "dangerous", "connection", "transaction",
	"scripting",
}

// CategoryByName returns the category named name, compared without
// regard to case as Redis's strcasecmp does, and false for an unknown
// name. The name has no leading '@'.
func CategoryByName(name string) (Categories, bool) {
	for i, n := range CategoryNames {
		if eqFold([]byte(name), n) {
			return 1 << i, true
		}
	}
	return 0, false
}

// ParseCategories turns names as COMMAND INFO lists them ("@read",
// "@slow"; the '@' is optional) into a set, and fails on the first name
// that is not a category.
func ParseCategories(names []string) (Categories, error) {
	var c Categories
	for _, n := range names {
		cat, ok := CategoryByName(strings.TrimPrefix(n, "@"))
		if !ok {
			return 0, fmt.Errorf("acl: unknown ACL category %q; one of @%s", n, strings.Join(CategoryNames[:], ", @"))
		}
		c |= cat
	}
	return c, nil
}

// Names returns the categories in c as COMMAND INFO shows them ("@read"),
// in CategoryNames order.
func (c Categories) Names() []string {
	var out []string
	for i, n := range CategoryNames {
		if c&(1<<i) != 0 {
			out = append(out, "@"+n)
		}
	}
	return out
}
