package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// placeholderRE matches a placeholder of a message: "{type}", "{path}".
// Braces around anything else ("Options{}", "{Addr: a}") are text.
var placeholderRE = regexp.MustCompile(`\{[a-z]+\}`)

// checkMessage verifies that a message uses only the placeholders that
// its operation fills in, and {version} only where every path it may
// stand for has a label.
func (s *Set) checkMessage(op, message string, paths []string, known ...string) error {
	for _, m := range placeholderRE.FindAllString(message, -1) {
		if len(known) == 0 {
			return fmt.Errorf("message: %s: %s rules fill in no placeholders", m, op)
		}
		if !slices.Contains(known, m) {
			return fmt.Errorf("message: %s is not a placeholder of %s rules (known: %s)", m, op, strings.Join(known, ", "))
		}
		if m != "{version}" {
			continue
		}
		for _, p := range paths {
			if s.labels[p] == "" {
				return fmt.Errorf("message: {version} needs a label for each version under \"packages\" (v7: example.com/lib/v7); %s has none", strings.TrimSuffix(p, "/..."))
			}
		}
	}
	return nil
}

// expand replaces the placeholders of a message: pairs of placeholder and
// value.
func expand(message string, pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(message)
}
