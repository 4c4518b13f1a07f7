package ids

import (
	"regexp"
	"sync"
	"testing"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				id := New()
				mu.Lock()
				if seen[id] {
					t.Errorf("%s twice", id)
				}
				seen[id] = true
				mu.Unlock()
				if !uuidV4.MatchString(id) {
					t.Errorf("%q is not a version 4 UUID", id)
				}
			}
		}()
	}
	wg.Wait()
}

func TestDerived(t *testing.T) {
	a := Derived("i-1", "queue")
	if !uuidV4.MatchString(a) {
		t.Fatalf("%q is not UUID-shaped", a)
	}
	if Derived("i-1", "queue") != a {
		t.Fatal("not the same every time")
	}
	for _, other := range []string{Derived("i-2", "queue"), Derived("i-1", "flow"), Derived("", "i-1\x00queue"), Derived("1", "queue\x00i-")} {
		if other == a {
			t.Fatalf("%q collides", other)
		}
	}
}

func TestRandom(t *testing.T) {
	for _, n := range []int{0, 1, 16, 33} {
		s := Random(n)
		if len(s) != 2*n || !regexp.MustCompile(`^[0-9a-f]*$`).MatchString(s) {
			t.Fatalf("Random(%d) = %q", n, s)
		}
	}
	if Random(16) == Random(16) {
		t.Fatal("Random repeats")
	}
}
