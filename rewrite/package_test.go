package rewrite

import "testing"

func TestAssumedName(t *testing.T) {
	for path, want := range map[string]string{
		"os":                           "os",
		"math/rand/v2":                 "rand",
		"github.com/redis/go-redis/v9": "redis",
		"github.com/google/uuid":       "uuid",
		"gopkg.in/yaml.v3":             "yaml",
		"example.com/go-lib":           "lib",
		"v2":                           "v2",
	} {
		if got := assumedName(path); got != want {
			t.Errorf("assumedName(%q) = %q, want %q", path, got, want)
		}
	}
}
