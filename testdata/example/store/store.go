// Package store keeps notes as files in a directory.
package store

import (
	"fmt"
	"io/ioutil"
	"path/filepath"
	"sort"
)

// Store is a directory of notes.
type Store struct{ Dir string }

// Open creates a store in a new temporary directory.
func Open() (*Store, error) {
	dir, err := ioutil.TempDir("", "notes-")
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Store{Dir: dir}, nil
}

// Put writes a note.
func (s *Store) Put(name, text string) error {
	return ioutil.WriteFile(filepath.Join(s.Dir, name), []byte(text), 0o644)
}

// Get reads a note.
func (s *Store) Get(name string) (string, error) {
	b, err := ioutil.ReadFile(filepath.Join(s.Dir, name)) // the whole note
	return string(b), err
}

// Names lists the notes, sorted.
func (s *Store) Names() ([]string, error) {
	fis, err := ioutil.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, fi := range fis {
		if !fi.IsDir() {
			names = append(names, fi.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Size is the total size of the notes in bytes.
func (s *Store) Size() (int64, error) {
	fis, err := ioutil.ReadDir(s.Dir)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, fi := range fis {
		n += fi.Size()
	}
	return n, nil
}
