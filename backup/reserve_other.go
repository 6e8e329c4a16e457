//go:build !linux

package backup

import "os"

// preallocate does nothing where the file system cannot be asked to
// allocate ahead: the rollback's journal appends may then need new space.
func preallocate(f *os.File, off, n int64) error {
	return nil
}
