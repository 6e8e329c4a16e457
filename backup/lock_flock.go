//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos

package backup

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lockExclusive takes an exclusive flock on f without waiting. It reports
// false if another process holds the lock. Processes that only probe the
// lock (lockShared, for an instant) do not make it fail: it waits them
// out.
func lockExclusive(f *os.File) (bool, error) {
	for range 1000 {
		ok, err := flock(f, syscall.LOCK_EX)
		if ok || err != nil {
			return ok, err
		}
		// Held: by a writer, or only by readers probing it? A shared lock
		// is granted only if no writer holds it.
		shared, err := flock(f, syscall.LOCK_SH)
		if !shared || err != nil {
			return false, err
		}
		if err := unlockFile(f); err != nil {
			return false, err
		}
		time.Sleep(time.Millisecond)
	}
	return false, nil
}

// lockShared takes a shared flock on f without waiting; it reports false
// if a process holds the exclusive lock.
func lockShared(f *os.File) (bool, error) {
	return flock(f, syscall.LOCK_SH)
}

// unlockFile releases the flock on f.
func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// flock applies how (LOCK_EX or LOCK_SH) to f without blocking.
func flock(f *os.File, how int) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, err
	}
}
