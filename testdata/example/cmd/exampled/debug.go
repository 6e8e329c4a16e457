//go:build debug

package main

import "io/ioutil"

// dump writes a debug copy of a note; built only with -tags debug.
func dump(text []byte) error { return ioutil.WriteFile("/tmp/exampled.debug", text, 0o600) }
