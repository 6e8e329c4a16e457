// Package app uses io/ioutil and an old helper of its own.
package app

import (
	"io/ioutil"
	"strings"
)

// Read reads all of a string.
func Read() ([]byte, error) {
	return ioutil.ReadAll(strings.NewReader("x")) // want `ioutil\.ReadAll becomes io\.ReadAll \(ioutil/read-all\)`
}

// Save writes a file.
func Save(name string, b []byte) error {
	//migrate:ignore ioutil kept until the release
	return ioutil.WriteFile(name, b, 0o600)
}
