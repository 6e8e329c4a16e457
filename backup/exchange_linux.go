package backup

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// exchange swaps the files a and b of r, which are in one directory,
// atomically (renameat2 with RENAME_EXCHANGE). It returns errNoExchange
// where the file system cannot.
func exchange(r *os.Root, a, b string) error {
	d, err := r.Open(filepath.Dir(a))
	if err != nil {
		return err
	}
	defer d.Close()
	raw, err := d.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		serr = unix.Renameat2(int(fd), filepath.Base(a), int(fd), filepath.Base(b), unix.RENAME_EXCHANGE)
	})
	switch {
	case err != nil:
		return err
	case errors.Is(serr, unix.EINVAL), errors.Is(serr, unix.ENOSYS), errors.Is(serr, unix.EOPNOTSUPP):
		return errNoExchange
	case serr != nil:
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: serr}
	}
	return nil
}
