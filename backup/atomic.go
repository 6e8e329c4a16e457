package backup

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// modeBits are the parts of a file mode that are saved and restored.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// WriteFileAtomic replaces the file at path with data and mode so that a
// reader, or a crash, sees the old content or the new one, never a mix: it
// writes a temp file in the same directory, syncs it, renames it over path
// and syncs the directory. mode is applied exactly, without the umask.
func WriteFileAtomic(path string, data []byte, mode fs.FileMode) error {
	return writeFileAtomic(path, data, mode, nil)
}

// writeFileAtomic is WriteFileAtomic with a fault hook.
func writeFileAtomic(path string, data []byte, mode fs.FileMode, fault func(string) error) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return withAdvice("write "+path, err)
	}
	defer r.Close()
	tmp := "." + name + "." + rand.Text()[:10] + ".tmp"
	if err := writeAtomic(r, name, tmp, data, mode, fault, nil); err != nil {
		return withAdvice("write "+path, err)
	}
	return nil
}

// writeAtomic replaces name in r with data and mode through the temp file
// tmp, which must not exist. g, if set, guards name: see replace.
func writeAtomic(r *os.Root, name, tmp string, data []byte, mode fs.FileMode, fault func(string) error, g *guard) error {
	if err := writeTemp(r, tmp, data, mode, fault); err != nil {
		return err
	}
	return replace(r, name, tmp, fault, g)
}

// replace puts the synced file tmp in place of name and syncs the
// directory. g, if set, says what name must hold: it is checked just
// before, and where the system can swap two names atomically (Linux),
// the swap takes the place of the rename and what it swapped out is
// checked again, then swapped back if someone saved the file in between.
// Either way, name is left as it is when it changed, and tmp is removed.
func replace(r *os.Root, name, tmp string, fault func(string) error, g *guard) error {
	err := hit(fault, "rename")
	if err == nil && g != nil {
		err = g.check()
	}
	if err == nil {
		err = hit(fault, "swap")
	}
	if err == nil {
		err = swapIn(r, name, tmp, g)
	}
	if err != nil {
		r.Remove(tmp)
		return err
	}
	return syncDir(r, filepath.Dir(name), fault)
}

// swapIn moves tmp to name. With a guard on an existing file it swaps the
// two (RENAME_EXCHANGE) and checks the content swapped out, so that a
// save made after the guard's check is never replaced: it is swapped back
// and the result is errChanged. With a guard on an absent file it links,
// which fails if the file appeared meanwhile. Where swapping is not
// supported it renames.
func swapIn(r *os.Root, name, tmp string, g *guard) error {
	switch {
	case g == nil || filepath.Dir(name) != filepath.Dir(tmp):
		return r.Rename(tmp, name)
	case g.want == "":
		if err := r.Link(tmp, name); errors.Is(err, fs.ErrExist) {
			return errChanged
		} else if err != nil {
			return err
		}
		return r.Remove(tmp)
	}
	err := exchange(r, name, tmp)
	switch {
	case errors.Is(err, errNoExchange):
		return r.Rename(tmp, name)
	case errors.Is(err, fs.ErrNotExist):
		return errChanged // removed since the check
	case err != nil:
		return err
	}
	if err := g.checkAt(tmp); err != nil {
		if xerr := exchange(r, name, tmp); xerr != nil {
			return fmt.Errorf("%s changed while it was replaced, and swapping it back failed: %w; its content is in %s", name, xerr, tmp)
		}
		return err
	}
	return r.Remove(tmp) // the content swapped out is the one backed up
}

// removeChecked removes name from r and syncs its directory. check, if
// set, is called just before the removal; if it fails name is kept.
func removeChecked(r *os.Root, name string, fault func(string) error, check func() error) error {
	err := hit(fault, "remove")
	if err == nil && check != nil {
		err = check()
	}
	if err == nil {
		err = r.Remove(name)
	}
	if err != nil {
		return err
	}
	return syncDir(r, filepath.Dir(name), fault)
}

// errChanged is returned by the check of holds when the file no longer
// has the content that was read.
var errChanged = errors.New("changed since it was read")

// errNoExchange is returned by exchange where two names cannot be swapped
// atomically.
var errNoExchange = errors.New("atomic exchange not supported")

// guard is what a file must hold when migrate replaces or removes it:
// the SHA-256 digest want, "" meaning that it is absent. It is checked at
// the last moment, so that an edit saved meanwhile is never lost.
type guard struct {
	r    *os.Root
	name string
	want string
}

// holds returns the guard that name of r still has the digest want.
func holds(r *os.Root, name, want string) *guard {
	return &guard{r: r, name: name, want: want}
}

// check returns errChanged if the file no longer has the digest wanted.
func (g *guard) check() error {
	return g.checkAt(g.name)
}

// checkAt is check on another name of r: where the file was swapped to.
func (g *guard) checkAt(name string) error {
	got, err := digest(g.r, name)
	if err != nil {
		return err
	}
	if got != g.want {
		return errChanged
	}
	return nil
}

// digest returns the SHA-256 of the regular file name of r, or "" if it
// does not exist.
func digest(r *os.Root, name string) (string, error) {
	data, _, err := readRegular(r, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	}
	return sum(data), nil
}

// createAtomic creates name in r, which must not exist, with data and
// mode. The synced temp file tmp is hard-linked to name, so name appears
// whole or not at all, and is never replaced if something created it
// meanwhile.
func createAtomic(r *os.Root, name, tmp string, data []byte, mode fs.FileMode, fault func(string) error) error {
	if err := writeTemp(r, tmp, data, mode, fault); err != nil {
		return err
	}
	err := hit(fault, "link")
	if err == nil {
		err = r.Link(tmp, name)
	}
	rmErr := r.Remove(tmp)
	if err != nil {
		return err
	}
	if rmErr != nil {
		return rmErr
	}
	return syncDir(r, filepath.Dir(name), fault)
}

// writeTemp creates tmp in r holding data with mode, synced and closed.
// On error tmp is removed.
func writeTemp(r *os.Root, tmp string, data []byte, mode fs.FileMode, fault func(string) error) error {
	if err := hit(fault, "tmp-create"); err != nil {
		return err
	}
	f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = fillFile(f, data, mode, fault)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.Remove(tmp)
	}
	return err
}

// fillFile writes data to the new file f, sets its mode and syncs it.
func fillFile(f *os.File, data []byte, mode fs.FileMode, fault func(string) error) error {
	if err := hit(fault, "tmp-write"); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(mode & modeBits); err != nil {
		return err
	}
	if err := hit(fault, "tmp-sync"); err != nil {
		return err
	}
	return f.Sync()
}

// syncDir syncs the directory dir of r, making renames, links and removals
// in it durable.
func syncDir(r *os.Root, dir string, fault func(string) error) error {
	if err := hit(fault, "dir-sync"); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		return nil // directories cannot be synced; NTFS journals renames
	}
	return syncIn(r, dir)
}

// syncIn opens the file or directory name of r and syncs it.
func syncIn(r *os.Root, name string) error {
	f, err := r.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncPath syncs the file or directory at path.
func syncPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() && runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeSynced creates path, which must not exist, with data and syncs it;
// its directory is left to the caller to sync. step names the file in
// the fault hook: step+"-write", step+"-sync".
func writeSynced(path string, data []byte, fault func(string) error, step string) error {
	if err := hit(fault, step+"-write"); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = hit(fault, step+"-sync")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// sum returns the SHA-256 of data in hex.
func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}
