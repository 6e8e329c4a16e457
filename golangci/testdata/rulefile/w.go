// Package rulefile uses ioutil.Discard.
package rulefile

import (
	"fmt"
	"io/ioutil"
)

// Drop prints nowhere.
func Drop() {
	fmt.Fprintln(ioutil.Discard, "x") // want `io\.Discard is the same writer \(discard/discard\)`
}
