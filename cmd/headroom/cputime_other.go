//go:build !unix

package main

import "time"

var processStart = time.Now()

// cpuTime stands in for the CPU time where the system does not report it:
// the time since the process started (the simulation is single-threaded).
func cpuTime() time.Duration { return time.Since(processStart) }
