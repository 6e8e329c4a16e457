//go:build !linux

package backup

import "os"

// exchange is not available here: replace renames after its check.
func exchange(*os.Root, string, string) error {
	return errNoExchange
}
