package connectapi_test

import (
	"os"
	"strings"
	"testing"

	"github.com/headroomhq/headroom/connectapi"
)

// The README's table of served Connect operations names every route.
func TestREADMEListsEveryOperation(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range connectapi.Operations() {
		if !strings.Contains(string(data), "`"+op+"`") {
			t.Errorf("README does not list %s in the table of served Connect operations", op)
		}
	}
}
