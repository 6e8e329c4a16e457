package rules

import "testing"

// TestContainsPath checks where a string names an import path: alone,
// with a subpackage or a symbol after it, after a URL's slash; not inside
// a longer element, nor with a major version after it (another module).
func TestContainsPath(t *testing.T) {
	const p = "github.com/go-redis/redis"
	cases := []struct {
		s    string
		want bool
	}{
		{p, true},
		{p + "/internal/pool.(*ConnPool).reaper", true},
		{p + ".(*Client).Process", true},
		{"see https://" + p + "/issues/1", true},
		{"in " + p + ": x", true},
		{p + "/vendor/x", true},
		{p + "mock", false},
		{p + "_rate/v9", false},
		{p + "/v8", false},
		{p + "/v8.(*Client)", false},
		{"x" + p, false},
		{"sub." + p, false},
		{p + "mock and " + p + "/v6", false},
		{p + "mock and " + p, true},
	}
	for _, c := range cases {
		if got := containsPath(c.s, p); got != c.want {
			t.Errorf("containsPath(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}
