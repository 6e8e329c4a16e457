// Command exampled prints a note read from stdin back, and stores it.
package main

import (
	"fmt"
	"io/ioutil"
	"log"
	"os"

	"example.com/notes/store"
)

func main() {
	text, err := ioutil.ReadAll(os.Stdin)
	if err != nil {
		log.Fatal(err)
	}
	s, err := store.Open()
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Put("note", string(text)); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(ioutil.Discard, "stored")
	fmt.Println(s.Dir)
}
