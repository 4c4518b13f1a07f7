package phone_test

import (
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/phone"
)

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in, e164, cc, national string
	}{
		{"+44 (0)7700 900123", "+447700900123", "44", "7700900123"},
		{"+4407700900123", "+447700900123", "44", "7700900123"},
		{"+1 (206) 555-0100", "+12065550100", "1", "2065550100"},
		{"+353 1 234 5678", "+35312345678", "353", "12345678"},
		{"+49 (0)30 123456", "+4930123456", "49", "30123456"},
	} {
		n, err := phone.Parser{}.ParseNumber(tc.in)
		if err != nil || n.E164 != tc.e164 || n.CountryCode != tc.cc || n.National != tc.national {
			t.Errorf("%q: %+v, %v; want %s %s %s", tc.in, n, err, tc.e164, tc.cc, tc.national)
		}
	}
	for _, bad := range []string{"", "+", "+1", "2065550100", "+1 206 555 0100 x12", "+1 800 FLOWERS", "+999 1234567", "+44 12", "+1\x00206"} {
		if _, err := (phone.Parser{}).ParseNumber(bad); headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}
