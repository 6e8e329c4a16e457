package cli

import (
	"context"
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
	// ExitInterrupted means SIGINT or SIGTERM stopped the command: the step
	// in flight was rolled back and no other started (128 + SIGINT, as a
	// shell reports a process ended by Ctrl-C).
	ExitInterrupted = 130
)

// noError is returned by a command whose answer is "no" (exit 1); its
// message has already been printed, or is printed as is.
type noError struct{ msg string }

func (e *noError) Error() string { return e.msg }

// interruptedError is returned by a command stopped by SIGINT or SIGTERM
// (exit 130); its message says what is left and how to undo it.
type interruptedError struct{ msg string }

func (e *interruptedError) Error() string { return e.msg }

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
	var intr *interruptedError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &no):
		return ExitNo
	case errors.As(err, &intr):
		return ExitInterrupted
	default:
		return ExitError
	}
}

// interrupted reports whether err came from the command being stopped by
// SIGINT or SIGTERM: migrate's context was cancelled, or a go command it
// ran died of the signal (a Ctrl-C reaches the whole process group, and
// the child may stop before migrate's handler cancels the context).
func interrupted(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "signal: interrupt") || strings.Contains(msg, "signal: terminated")
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
