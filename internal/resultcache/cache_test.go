package resultcache

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestPutGet(t *testing.T) {
	c := Open(t.TempDir(), "salt")
	if _, ok := c.Get("k"); ok {
		t.Fatal("empty cache: hit")
	}
	c.Put("k", []byte("value"))
	if v, ok := c.Get("k"); !ok || string(v) != "value" {
		t.Fatalf("Get = %q, %v; want value, true", v, ok)
	}
	c.Put("k", []byte("other"))
	if v, _ := c.Get("k"); string(v) != "other" {
		t.Fatalf("Get after a second Put = %q, want other", v)
	}
}

// TestSalt: the same key under another salt (another migrate, other rule
// sets) is another entry.
func TestSalt(t *testing.T) {
	dir := t.TempDir()
	Open(dir, "v1").Put("k", []byte("value"))
	if _, ok := Open(dir, "v2").Get("k"); ok {
		t.Fatal("hit under another salt")
	}
}

// TestDamaged: an entry that is truncated, changed or not an entry is a
// miss.
func TestDamaged(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"truncated": func(b []byte) []byte { return b[:len(b)-3] },
		"flipped":   func(b []byte) []byte { b[len(b)-2] ^= 1; return b },
		"empty":     func([]byte) []byte { return nil },
		"header":    func(b []byte) []byte { return append([]byte("x"), b...) },
	} {
		t.Run(name, func(t *testing.T) {
			c := Open(t.TempDir(), "salt")
			c.Put("k", []byte(`{"uses":[]}`))
			p := c.path("k")
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, damage(data), 0o666); err != nil {
				t.Fatal(err)
			}
			if v, ok := c.Get("k"); ok {
				t.Fatalf("damaged entry: hit %q", v)
			}
		})
	}
}

// TestUnwritable: Put into a directory that cannot be created loses the
// entry, silently.
func TestUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	c := Open(filepath.Join(file, "cache"), "salt")
	c.Put("k", []byte("v"))
	if _, ok := c.Get("k"); ok {
		t.Fatal("hit")
	}
}

// TestConcurrent: runs writing and reading the same entries at once see a
// whole value or none.
func TestConcurrent(t *testing.T) {
	c := Open(t.TempDir(), "salt")
	value := make([]byte, 1<<16)
	for i := range value {
		value[i] = byte(i)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				c.Put("k", value)
				if v, ok := c.Get("k"); ok && len(v) != len(value) {
					t.Errorf("partial entry: %d bytes", len(v))
				}
			}
		})
	}
	wg.Wait()
	matches, _ := filepath.Glob(filepath.Join(c.dir, "*", ".tmp-*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestTrim: an entry unused for trimAge goes, a used one stays; a second
// trim within trimEvery does nothing.
func TestTrim(t *testing.T) {
	c := Open(t.TempDir(), "salt")
	c.Put("old", []byte("1"))
	c.Put("new", []byte("2"))
	long := time.Now().Add(-trimAge - time.Hour)
	if err := os.Chtimes(c.path("old"), long, long); err != nil {
		t.Fatal(err)
	}
	c.Trim(time.Now())
	if _, ok := c.Get("old"); ok {
		t.Error("old entry kept")
	}
	if _, ok := c.Get("new"); !ok {
		t.Error("new entry trimmed")
	}
	c.Put("old", []byte("1"))
	if err := os.Chtimes(c.path("old"), long, long); err != nil {
		t.Fatal(err)
	}
	c.Trim(time.Now())
	if _, err := os.Stat(c.path("old")); err != nil {
		t.Error("trimmed twice within trimEvery")
	}
}
