package store

import (
	"os"
	"testing"
)

func TestPutGet(t *testing.T) {
	s, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(s.Dir)
	if err := s.Put("a", "hello"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("a")
	if err != nil || got != "hello" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	names, err := s.Names()
	if err != nil || len(names) != 1 || names[0] != "a" {
		t.Fatalf("Names = %v, %v", names, err)
	}
	if n, err := s.Size(); err != nil || n != 5 {
		t.Fatalf("Size = %d, %v", n, err)
	}
}
