package rules

import "fmt"

// operation is a declarative rule of a rule file (move, rename, method,
// field, call, manual, remove-field, type, insert-arg, implements,
// strings, note). Like a GoRule, it
// only computes: run records its sites on a Pass, and the engine filters,
// applies and counts them.
type operation interface {
	// ID, Paths and Indirect are those of the Rule (see Rule, Indirect).
	ID() string
	Paths() []string
	Indirect() bool
	// run finds the operation's sites in one file.
	run(p *Pass) error
}

// declared is a declarative rule as one entry of a rule set: the Rule the
// loader puts in the set. Like bound for a GoRule, it runs the operation
// on a Pass, then hands the sites to File.Record.
type declared struct {
	op   operation
	set  *Set
	spec *Spec
}

func (d *declared) ID() string      { return d.op.ID() }
func (d *declared) Paths() []string { return d.op.Paths() }
func (d *declared) Indirect() bool  { return d.op.Indirect() }

// RequiresFacts is false: an operation of a rule file looks at its own
// file.
func (d *declared) RequiresFacts() bool { return false }

func (d *declared) Apply(f File) error {
	p := &Pass{set: d.set, spec: d.spec, file: f}
	if err := d.op.run(p); err != nil {
		return err
	}
	return f.Record(d, p.sites)
}

// operationOf returns the declarative operation of a rule of a set, or
// nil for a rule written in Go.
func operationOf(r Rule) operation {
	if d, ok := r.(*declared); ok {
		return d.op
	}
	return nil
}

// compileDecl builds a declarative rule.
func compileDecl(set *Set, spec *Spec) (Rule, error) {
	op, err := newOperation(set, spec)
	if err != nil {
		return nil, err
	}
	return &declared{op: op, set: set, spec: spec}, nil
}

func newOperation(set *Set, spec *Spec) (operation, error) {
	switch op, _ := spec.Op(); op {
	case "move":
		return newMove(set, spec)
	case "rename":
		return newRename(set, spec)
	case "method":
		return newMemberRename(set, spec, spec.Method, true)
	case "field":
		return newMemberRename(set, spec, spec.Field, false)
	case "call":
		return newCallTemplate(set, spec)
	case "manual":
		return newManual(set, spec)
	case "remove-field":
		return newRemoveField(set, spec)
	case "type":
		return newRetype(set, spec)
	case "insert-arg":
		return newInsertArg(set, spec)
	case "implements":
		return newImplements(set, spec)
	case "strings":
		return newStrings(set, spec)
	case "note":
		return newNote(set, spec)
	default:
		return nil, fmt.Errorf("unknown operation %q", op)
	}
}

// base holds what every declarative rule has.
type base struct {
	spec  *Spec
	paths []string
}

// ID returns the rule's group when it has one: its sites and findings are
// reported under the group's name.
func (b *base) ID() string {
	if b.spec.Group != "" {
		return b.spec.Group
	}
	return b.spec.ID
}

func (b *base) Paths() []string { return b.paths }
