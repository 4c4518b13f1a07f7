//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/headroomhq/headroom"
)

// fileLock is an exclusive flock on the lock file next to a database. The
// kernel releases it when the process ends, however it ends, so a crashed
// Headroom never leaves a stale lock behind.
type fileLock struct {
	f *os.File
}

// lockPath returns the lock file of the database at path.
func lockPath(path string) string { return path + ".lock" }

// acquireLock takes the lock of the database at path without waiting.
func acquireLock(path string) (*fileLock, error) {
	lp := lockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create the lock file %s: %v; check that the directory exists and is writable", lp, err)
	}
	f.Chmod(0o600) // whatever the umask; it fails harmlessly on another user's file
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(lp); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && pid > 0 {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, headroom.Errorf(headroom.EUNAVAILABLE,
				"database %s is in use by another running Headroom%s, which holds %s; stop that Headroom or use another path", path, holder, lp)
		}
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot lock %s: %v", lp, err)
	}
	// Record who holds the lock, for the message above. Failing to is
	// harmless: the lock itself is held.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &fileLock{f: f}, nil
}

// release drops the lock. The file stays: removing it would race with a
// process that has just opened it.
func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// sharedLock takes a shared lock of the database at path without waiting
// and without writing anything: none if there is no lock file (no
// Headroom ever opened the database, so none has it open). It keeps a
// Headroom from opening the database while it is held, and fails with
// EUNAVAILABLE while one has it open.
func sharedLock(path string) (*fileLock, error) {
	lp := lockPath(path)
	f, err := os.Open(lp)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot open the lock file %s: %v", lp, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, headroom.Errorf(headroom.EUNAVAILABLE,
				"database %s is in use by a running Headroom, which holds %s; stop it first, so that nothing changes the database while it is read", path, lp)
		}
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot lock %s: %v", lp, err)
	}
	return &fileLock{f: f}, nil
}
