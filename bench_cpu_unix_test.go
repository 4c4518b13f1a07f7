//go:build unix

package headroom_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuPerOp starts measuring the process's CPU time (user and system, every
// goroutine's); the function it returns reports it per op as cpu-ns/op.
// On a shared machine, wall-clock ns/op counts the time the benchmark
// waits for a core; CPU time does not, so it compares two runs more
// steadily.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
