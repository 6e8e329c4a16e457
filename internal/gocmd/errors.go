package gocmd

import (
	"fmt"
	"strings"
)

// maxDetails bounds the lines of the go command's output that OneLine
// keeps.
const maxDetails = 3

// OneLine turns the go command's error output into one line: its lines
// without the "go: " prefix and indentation, joined by "; " (a line that
// asks for the next, "to update it:" or "p imports", by a space), at most
// maxDetails of them. The go command's advice ("To ignore the vendor
// directory, use -mod=readonly...") is left out: it names flags that
// migrate sets itself; inconsistent vendoring gets the advice that fits
// instead. err stands in for empty output.
func OneLine(output string, err error) string {
	lines := messageLines(output)
	if len(lines) == 0 {
		if err == nil {
			return "failed"
		}
		return err.Error()
	}
	if dir, ok := strings.CutPrefix(lines[0], "inconsistent vendoring in "); ok {
		return fmt.Sprintf("vendor/modules.txt in %s does not match go.mod (%s): run 'go mod vendor' there to sync it, then run migrate again",
			strings.TrimSuffix(dir, ":"), join(lines[1:]))
	}
	var glued []string
	for i, line := range lines {
		if i > 0 && asksForNext(lines[i-1]) {
			glued[len(glued)-1] += " " + line
		} else {
			glued = append(glued, line)
		}
	}
	return join(glued)
}

// messageLines returns the lines of the go command's message, trimmed,
// up to its advice.
func messageLines(output string) []string {
	var lines []string
	for _, line := range strings.Split(output, "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "go: ")
		if strings.HasPrefix(line, "To ") { // the advice block closes the message
			break
		}
		if line != "" && !strings.HasPrefix(line, "# ") {
			lines = append(lines, line)
		}
	}
	return lines
}

func asksForNext(line string) bool {
	return strings.HasSuffix(line, ":") || strings.HasSuffix(line, " imports")
}

// join joins up to maxDetails lines with "; ", and says how many more
// there are.
func join(lines []string) string {
	more := ""
	if len(lines) > maxDetails {
		more = fmt.Sprintf(" (and %d more)", len(lines)-maxDetails)
		lines = lines[:maxDetails]
	}
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], ":")
	}
	return strings.Join(lines, "; ") + more
}
