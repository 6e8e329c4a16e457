// Package resultcache is a directory of values by key, for the results that
// migrate status and check keep between runs (rewrite.ResultCache).
//
// An entry is one file, named by the SHA-256 of the cache's salt and the
// key, under a subdirectory of its first two hex digits. It holds a header
// line, the SHA-256 of the value, and the value. It is written to a
// temporary file in the same directory, then renamed: a reader sees a
// whole entry or none, and two runs writing the same entry write the same
// bytes. An entry that cannot be read, or whose checksum does not match,
// is a miss, never an error. Entries not used for trimAge are deleted, at
// most once a trimEvery.
package resultcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	header    = "migrate result cache v1\n"
	trimAge   = 5 * 24 * time.Hour
	trimEvery = 24 * time.Hour
	// touchAfter is how old an entry's modification time may be before a
	// hit sets it again, which keeps used entries from being trimmed.
	touchAfter = time.Hour
)

// Cache is a cache directory. Its zero value is not usable; see Open.
type Cache struct {
	dir  string
	salt string
}

// Open returns the cache in dir, which it creates when it first writes.
// salt is part of every key: what the caller's keys leave out (the
// program's version, its configuration).
func Open(dir, salt string) *Cache {
	return &Cache{dir: dir, salt: salt}
}

// DefaultDir returns the cache directory: $MIGRATE_CACHE if set (getenv
// reads the environment), else migrate/results under the user's cache
// directory (os.UserCacheDir).
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("MIGRATE_CACHE"); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("result cache: %w", err)
	}
	return filepath.Join(d, "migrate", "results"), nil
}

// path returns the file of key's entry.
func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(c.salt + "\x00" + key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(c.dir, name[:2], name)
}

// Get returns the value stored under key; false if there is none or it
// cannot be read whole.
func (c *Cache) Get(key string) ([]byte, bool) {
	p := c.path(key)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	value, ok := decode(data)
	if !ok {
		return nil, false
	}
	if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > touchAfter {
		now := time.Now()
		_ = os.Chtimes(p, now, now) // only delays trimming
	}
	return value, true
}

func decode(data []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(header))
	if !ok {
		return nil, false
	}
	sumHex, value, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, false
	}
	sum := sha256.Sum256(value)
	if string(sumHex) != hex.EncodeToString(sum[:]) {
		return nil, false
	}
	return value, true
}

// Put stores value under key. It fails silently: a lost entry is a miss
// next time.
func (c *Cache) Put(key string, value []byte) {
	sum := sha256.Sum256(value)
	_ = writeAtomic(c.path(key), fmt.Appendf(nil, "%s%x\n%s", header, sum, value))
}

// writeAtomic writes data to a temporary file beside p, then renames it p.
func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// Trim deletes the entries not used for trimAge (and temporary files left
// by an interrupted Put), unless the cache was trimmed less than trimEvery
// ago. It fails silently.
func (c *Cache) Trim(now time.Time) {
	mark := filepath.Join(c.dir, "trim.txt")
	if data, err := os.ReadFile(mark); err == nil {
		if t, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && now.Sub(time.Unix(t, 0)) < trimEvery {
			return
		}
	} else if _, err := os.Stat(c.dir); err != nil {
		return // nothing stored yet
	}
	if writeAtomic(mark, []byte(strconv.FormatInt(now.Unix(), 10)+"\n")) != nil {
		return
	}
	subdirs, _ := os.ReadDir(c.dir)
	for _, d := range subdirs {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		sub := filepath.Join(c.dir, d.Name())
		entries, _ := os.ReadDir(sub)
		for _, e := range entries {
			if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > trimAge {
				os.Remove(filepath.Join(sub, e.Name()))
			}
		}
	}
}
