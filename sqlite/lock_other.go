//go:build !unix

package sqlite

import (
	"os"

	"github.com/headroomhq/headroom"
)

// fileLock marks a database as in use. On systems without flock it only
// creates the lock file: it cannot keep a second Headroom out.
type fileLock struct {
	f *os.File
}

func lockPath(path string) string { return path + ".lock" }

func acquireLock(path string) (*fileLock, error) {
	f, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create the lock file %s: %v", lockPath(path), err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// sharedLock cannot tell, without flock, whether a Headroom has the
// database open: it takes nothing.
func sharedLock(string) (*fileLock, error) { return nil, nil }
