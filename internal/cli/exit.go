package cli

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes shared by every command.
const (
	// ExitOK means the command did what was asked.
	ExitOK = 0
	// ExitNo means the command worked but the answer is "no": verification
	// failed and the tree was restored, a check found old usages, a restore
	// was refused because files changed.
	ExitNo = 1
	// ExitError means the command could not do its work: bad flags, unknown
	// rules, malformed rule files, packages that do not load. Nothing was
	// written.
	ExitError = 2
)

// noError is returned by a command whose answer is "no" (exit 1); its
// message has already been printed, or is printed as is.
type noError struct{ msg string }

func (e *noError) Error() string { return e.msg }

// usageError marks errors in how the command was called.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var no *noError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &no):
		return ExitNo
	default:
		return ExitError
	}
}

// errorLine renders err as the single line printed on stderr.
func errorLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	var use *usageError
	if errors.As(err, &use) {
		return "migrate: " + msg + " (see migrate --help)"
	}
	return "migrate: " + msg
}
