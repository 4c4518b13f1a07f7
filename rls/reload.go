package rls

import (
	"log/slog"
	"sync"

	"github.com/fsnotify/fsnotify"
)

// Reload loads every file of dir and adopts them (Apply). A bad file, or
// a set the engine refuses, is refused whole: the error names the file,
// line and field, it is logged, and the previous configuration stays in
// force. Safe for concurrent use.
func (s *Service) Reload(dir string) error {
	cfg, err := LoadDir(dir)
	if err != nil {
		s.rejected.Add(1)
		s.log.Error("rls: configuration refused; the previous one stays in force", "dir", dir, "error", err.Error(), "version", s.Version())
		if s.onApply != nil {
			s.onApply(s.Version(), err)
		}
		return err
	}
	if err := s.Apply(cfg); err != nil {
		s.log.Error("rls: configuration refused; the previous one stays in force", "dir", dir, "error", err.Error(), "version", s.Version())
		return err
	}
	s.log.Info("rls: configuration loaded", "dir", dir, "domains", len(cfg.Domains), "rules", len(cfg.Rules()), "version", s.Version())
	return nil
}

// Watcher reloads a service's configuration directory whenever a file in
// it is written, created, removed, renamed or has its mode changed, as
// envoyproxy/ratelimit does; every file is reloaded, not just the one
// that changed. Swapping a symbolic link to the directory's content (as a
// Kubernetes ConfigMap does) is seen as a create in the directory.
type Watcher struct {
	w    *fsnotify.Watcher
	done chan struct{}
	once sync.Once
}

// Watch starts watching dir for svc; it does not load it (call
// svc.Reload first). Errors: the directory cannot be watched.
func Watch(dir string, svc *Service, log *slog.Logger) (*Watcher, error) {
	if log == nil {
		log = svc.log
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := fw.Add(dir); err != nil {
		fw.Close()
		return nil, err
	}
	w := &Watcher{w: fw, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			select {
			case ev, ok := <-fw.Events:
				if !ok {
					return
				}
				if ev.Op == 0 {
					continue
				}
				// Drain what is already queued: one reload for a burst
				// of events, such as an editor's write and rename.
				drain(fw.Events)
				svc.Reload(dir)
			case err, ok := <-fw.Errors:
				if !ok {
					return
				}
				log.Warn("rls: watching the configuration directory", "dir", dir, "error", err)
			}
		}
	}()
	return w, nil
}

func drain(ch <-chan fsnotify.Event) {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// Close stops watching and waits for a reload in progress to end.
func (w *Watcher) Close() error {
	var err error
	w.once.Do(func() {
		err = w.w.Close()
		<-w.done
	})
	return err
}
