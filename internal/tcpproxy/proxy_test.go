package tcpproxy

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echo starts a line echo server and returns its address.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(c net.Conn, r *bufio.Reader, msg string) (string, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

func TestProxyForwardsCountsCutsAndRestores(t *testing.T) {
	p, err := New(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for i := 0; i < 3; i++ {
		if got, err := roundTrip(c, r, "ping"); err != nil || got != "ping\n" {
			t.Fatalf("round trip %d = %q, %v", i, got, err)
		}
	}
	if w := p.Writes(); w != 3 {
		t.Fatalf("Writes = %d, want 3", w)
	}
	p.Cut()
	if _, err := roundTrip(c, r, "lost"); err == nil {
		t.Fatal("a round trip through a cut proxy succeeded")
	}
	c2, err := net.Dial("tcp", p.Addr())
	if err == nil {
		if _, err := roundTrip(c2, bufio.NewReader(c2), "lost"); err == nil {
			t.Fatal("a new connection through a cut proxy worked")
		}
		c2.Close()
	}
	p.Restore()
	c3, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if got, err := roundTrip(c3, bufio.NewReader(c3), "back"); err != nil || got != "back\n" {
		t.Fatalf("after Restore = %q, %v", got, err)
	}
}

func TestProxyDelay(t *testing.T) {
	p, err := New(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.SetDelay(100 * time.Millisecond)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := roundTrip(c, bufio.NewReader(c), "slow"); err != nil {
		t.Fatal(err)
	}
	// Both directions are held: at least 200 ms, whatever the machine's speed.
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("delayed round trip took %v, want at least 200ms", d)
	}
}
