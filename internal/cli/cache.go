package cli

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/migrate-tool/migrate/internal/resultcache"
	"github.com/migrate-tool/migrate/rewrite"
)

// cacheOptions are the flags of the commands that keep results between
// runs (status, check).
type cacheOptions struct {
	off bool // --no-cache
}

func (o *cacheOptions) addFlags(f interface {
	BoolVar(p *bool, name string, value bool, usage string)
}) {
	f.BoolVar(&o.off, "no-cache", false, "compute every package's result, without reading or writing the result cache ($MIGRATE_CACHE, or migrate/ in the user cache directory)")
}

// openCache returns the result cache for a dry run of the rule sets
// named, or nil when it is off: --no-cache, MIGRATE_CACHE=off, or no cache
// directory or version of migrate to key it by. Its salt is what the
// engine's keys leave out: migrate's own version and the rule sets'
// definitions. before is rulesFingerprint taken before the sets were
// loaded: a rule file edited while they loaded turns the cache off.
func openCache(o *cacheOptions, dir string, names []string, before string) *resultcache.Cache {
	if o.off || os.Getenv("MIGRATE_CACHE") == "off" {
		return nil
	}
	root, err := resultcache.DefaultDir(os.Getenv)
	if err != nil {
		return nil
	}
	self := selfVersion()
	if self == "" || before == "" || before != rulesFingerprint(dir, names) {
		return nil
	}
	return resultcache.Open(root, self+"\n"+before)
}

// rulesFingerprint hashes the definitions of the rule sets named as
// builtin.Resolve finds them: a built-in set is in migrate's own binary
// (selfVersion), a rule file is its bytes. "" when a file cannot be read.
func rulesFingerprint(dir string, names []string) string {
	h := sha256.New()
	for _, n := range names {
		n = strings.TrimSpace(n)
		ext := filepath.Ext(n)
		if !strings.ContainsAny(n, `/\`) && ext != ".yaml" && ext != ".yml" {
			fmt.Fprintf(h, "builtin %q\n", n)
			continue
		}
		p := n
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "file %q %d %x\n", n, len(data), sha256.Sum256(data))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// selfVersion identifies the migrate binary: its module build information
// and its Go build ID (which the go command derives from every input of
// the build), or its content's hash when it has no build ID. A new migrate
// never reads an older one's results. "" when the binary cannot be read.
func selfVersion() string {
	h := sha256.New()
	if bi, ok := debug.ReadBuildInfo(); ok {
		io.WriteString(h, bi.String())
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	if id := buildID(f); id != "" {
		fmt.Fprintf(h, "build id %s\n", id)
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ""
	} else if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// buildID returns the Go build ID of the binary: in an ELF file, the
// .note.go.buildid note; in others, the string the linker writes near the
// start of the text ("\xff Go build ID: \"...\"\n \xff"). "" if none.
func buildID(f io.ReaderAt) string {
	if ef, err := elf.NewFile(f); err == nil {
		if sec := ef.Section(".note.go.buildid"); sec != nil {
			// namesz, descsz, type, then "Go\x00\x00" and the ID.
			if data, err := sec.Data(); err == nil && len(data) > 16 && string(data[12:16]) == "Go\x00\x00" {
				return string(bytes.TrimRight(data[16:], "\x00"))
			}
		}
		return ""
	}
	head := make([]byte, 64<<10)
	n, _ := f.ReadAt(head, 0)
	const prefix, suffix = "\xff Go build ID: \"", "\"\n \xff"
	i := bytes.Index(head[:n], []byte(prefix))
	if i < 0 {
		return ""
	}
	rest := head[i+len(prefix) : n]
	j := bytes.Index(rest, []byte(suffix))
	if j <= 0 {
		return ""
	}
	return string(rest[:j])
}

// noteCache prints, when MIGRATE_CACHE_DEBUG is set, how many packages
// came from the result cache: for tests and for measuring.
func noteCache(env *Env, st rewrite.Stats, c *resultcache.Cache) {
	if c != nil {
		c.Trim(time.Now())
	}
	if os.Getenv("MIGRATE_CACHE_DEBUG") == "" {
		return
	}
	if c == nil {
		fmt.Fprintln(env.Stderr, "migrate: cache: off")
		return
	}
	fmt.Fprintf(env.Stderr, "migrate: cache: %d packages from the cache, %d checked, %d not cacheable\n", st.CacheHits, st.CacheMisses, st.CacheUncachable)
}
