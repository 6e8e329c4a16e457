//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos)

package backup

import "os"

// lockExclusive fails: this platform has no flock(2), and Store.Lock says
// so rather than write unprotected.
func lockExclusive(*os.File) (bool, error) { return false, errNoFlock }

// lockShared fails likewise; a probe takes it as "nobody holds the lock".
func lockShared(*os.File) (bool, error) { return false, errNoFlock }

// unlockFile has nothing to release.
func unlockFile(*os.File) error { return nil }
