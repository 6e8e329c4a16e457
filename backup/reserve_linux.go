//go:build linux

package backup

import (
	"errors"
	"os"
	"syscall"
)

// fallocKeepSize is FALLOC_FL_KEEP_SIZE: allocate without changing the
// file's size.
const fallocKeepSize = 1

// preallocate allocates the n bytes of f from off without changing its
// size, so that writing them later takes no new space. A file system that
// cannot preallocate is not an error; a full one is.
func preallocate(f *os.File, off, n int64) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	var ferr error
	if err := conn.Control(func(fd uintptr) {
		ferr = syscall.Fallocate(int(fd), fallocKeepSize, off, n)
	}); err != nil {
		return nil
	}
	if errors.Is(ferr, syscall.ENOSPC) || errors.Is(ferr, syscall.EDQUOT) {
		return ferr
	}
	return nil
}
