// Package memory implements headroom.Store and headroom.Limiter in process
// memory. It is for tests, for embedding the engine in one process, and as the
// reference every other backend is compared with. State is lost on exit.
package memory
