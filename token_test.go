package headroom_test

import (
	"testing"

	"github.com/headroomhq/headroom"
)

// An operator token acts for every account, and any other token for the
// accounts it is bound to only, as the native API has always decided.
func TestTokenMayAct(t *testing.T) {
	op := headroom.Token{Role: headroom.RoleOperator}
	svc := headroom.Token{Role: headroom.RoleService, Accounts: []string{"111111111111", "222222222222"}}
	odd := headroom.Token{Role: "guest", Accounts: []string{"111111111111"}}
	for _, c := range []struct {
		tok     headroom.Token
		account string
		want    bool
	}{
		{op, "999999999999", true},
		{svc, "111111111111", true},
		{svc, "222222222222", true},
		{svc, "333333333333", false},
		{svc, "", false},
		{odd, "111111111111", true},
		{headroom.Token{Role: headroom.RoleService}, "111111111111", false},
	} {
		if got := c.tok.MayAct(c.account); got != c.want {
			t.Errorf("%s token %v MayAct(%q) = %v, want %v", c.tok.Role, c.tok.Accounts, c.account, got, c.want)
		}
	}
}
