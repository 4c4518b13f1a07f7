package main

import "github.com/headroomhq/headroom/server"

// Main is the server the serve command runs; the server package builds it.
type Main = server.Server

// Config is the serve command's configuration.
type Config = server.Config

// NewMain returns a server with the default configuration.
func NewMain() *Main { return server.New() }

// DefaultConfig returns the server's defaults.
func DefaultConfig() Config { return server.DefaultConfig() }

// The server's defaults, as the commands show them.
const (
	DefaultAddr    = server.DefaultAddr
	DefaultDataDir = server.DefaultDataDir
	AdminTokenFile = server.AdminTokenFile
	DatabaseFile   = server.DatabaseFile
)
