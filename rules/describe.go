package rules

import (
	"fmt"
	"strings"
)

// Describe says in one phrase what the rule changes: its doc, or a phrase
// made from its operation and the versions it is narrowed to.
func (s *Spec) Describe() string {
	if s.Doc != "" {
		return s.Doc
	}
	d := s.describeOp()
	if len(s.Versions) > 0 {
		d += " (" + strings.Join(s.Versions, ", ") + ")"
	}
	return d
}

func (s *Spec) describeOp() string {
	op, arg := s.Op()
	if p := strings.Split(arg, "."); len(p) == 3 && p[1] == "*" {
		arg = fmt.Sprintf("%s of any %s type", p[2], p[0])
	}
	switch op {
	case "move":
		if len(s.moveFrom) > 1 {
			return fmt.Sprintf("imports %s move to %s", strings.Join(s.moveFrom, ", "), s.To)
		}
		if len(s.moveFrom) == 1 {
			arg = s.moveFrom[0]
		}
		return fmt.Sprintf("import %s moves to %s", arg, s.To)
	case "rename", "call":
		return fmt.Sprintf("%s becomes %s", arg, s.To)
	case "method", "field":
		return fmt.Sprintf("%s %s is renamed %s", op, arg, s.To)
	case "manual", "note":
		return s.Message
	case "implements":
		return fmt.Sprintf("types that implement %s are reported", arg)
	case "strings":
		return fmt.Sprintf("string literals that name %s are reported", arg)
	case "remove-field":
		return fmt.Sprintf("field %s is deleted from composite literals", arg)
	case "type":
		return fmt.Sprintf("%s becomes %s in declarations", arg, s.To)
	case "insert-arg":
		return fmt.Sprintf("calls of %s take %s", arg, s.inserted())
	}
	return "rule " + arg
}

// ExampleOrDerived returns the rule's example, or one derived from its
// operation when it has none (nil for rules written in Go without one).
func (s *Spec) ExampleOrDerived() *Example {
	if s.Example != nil {
		return s.Example
	}
	op, arg := s.Op()
	parts := strings.Split(arg, ".")
	switch op {
	case "move":
		if len(s.moveFrom) > 0 {
			arg = s.moveFrom[len(s.moveFrom)-1]
		}
		return &Example{Before: fmt.Sprintf("import %q", arg), After: fmt.Sprintf("import %q", s.To)}
	case "rename", "call":
		to := s.To
		if op == "rename" && !strings.Contains(to, ".") {
			to = parts[0] + "." + to // a bare name keeps the qualifier
		}
		return &Example{Before: arg, After: to}
	case "method":
		return &Example{Before: memberUse(parts, "(...)"), After: fmt.Sprintf("x.%s(...)", s.To)}
	case "field":
		return &Example{Before: fmt.Sprintf("%s.%s{%s: v}", parts[0], parts[1], parts[2]), After: fmt.Sprintf("%s.%s{%s: v}", parts[0], parts[1], s.To)}
	case "manual":
		return s.manualExample(parts)
	case "implements":
		msg := expand(s.Message, "{type}", "T", "{path}", s.reported, "{version}", s.reportedLabel)
		return reportExample(fmt.Sprintf("type T struct{} // implements %s", arg), "type T struct{}", msg, s.TODO)
	case "strings":
		str := s.reported + ".(*Client).run"
		msg := expand(s.Message, "{string}", str, "{path}", s.reported, "{version}", s.reportedLabel)
		use := fmt.Sprintf("goleak.IgnoreTopFunction(%q)", str)
		return reportExample(use, use, msg, s.TODO)
	case "note":
		return s.noteExample()
	case "remove-field":
		return &Example{Before: fmt.Sprintf("%s.%s{%s: 1, Other: v}", parts[0], parts[1], parts[2]), After: fmt.Sprintf("%s.%s{Other: v}", parts[0], parts[1])}
	case "type":
		return &Example{Before: fmt.Sprintf("func f(p *%s) *%[1]s", arg), After: fmt.Sprintf("func f(p *%s) *%[1]s", s.To)}
	case "insert-arg":
		return s.insertArgExample()
	}
	return nil
}

// memberUse shows a use of the member parts[2] of type parts[1] (any
// type, for "*").
func memberUse(parts []string, call string) string {
	if len(parts) != 3 {
		return strings.Join(parts, ".") + call
	}
	if parts[1] == "*" {
		return fmt.Sprintf("x.%s%s", parts[2], call)
	}
	return fmt.Sprintf("var x %s.%s\nx.%s%s", parts[0], parts[1], parts[2], call)
}

func (s *Spec) manualExample(parts []string) *Example {
	call := ""
	if s.When != "" {
		call = "(...)"
	}
	before := strings.Join(parts, ".") + call
	if len(parts) == 3 {
		before = memberUse(parts, call)
	}
	lines := strings.Split(before, "\n")
	msg := expand(s.Message, "{name}", parts[len(parts)-1])
	ex := reportExample(lines[len(lines)-1], lines[len(lines)-1], msg, s.TODO)
	ex.Before = before
	ex.After = strings.Join(append(lines[:len(lines)-1], ex.After), "\n")
	return ex
}

// reportExample shows the line before, and the line after reported with
// message: with a TODO comment above it, or a note at its end.
func reportExample(before, after, message string, todo bool) *Example {
	if todo {
		return &Example{Before: before, After: "// TODO(migrate): " + message + "\n" + after}
	}
	return &Example{Before: before, After: after + " // reported: " + message}
}

// noteExample shows a file using the first function or method of a note
// rule, told at its import.
func (s *Spec) noteExample() *Example {
	parts := strings.Split(s.Note[0], ".")
	use := strings.Join(parts, ".") + "(...)"
	if len(parts) == 3 {
		use = memberUse(parts, "(...)")
	}
	imp := fmt.Sprintf("import %q", s.reported)
	ex := reportExample(imp, imp, s.Message, s.TODO)
	ex.Before += "\n\n" + use
	ex.After += "\n\n" + use
	return ex
}

// inserted says which argument an insert-arg rule inserts: "a
// context.Context first".
func (s *Spec) inserted() string {
	v := s.Value
	if v == "$"+ctxHole {
		v = "a context.Context"
	}
	switch s.At {
	case 0:
		return v + " first"
	case 1:
		return v + " second"
	case 2:
		return v + " third"
	}
	return fmt.Sprintf("%s as argument %d", v, s.At+1)
}

// ReportsWhat says which sites a rule that only reports (manual,
// implements, strings, note) reports, for "migrate explain"; "" for the
// other rules.
func (s *Spec) ReportsWhat() string {
	switch op, _ := s.Op(); {
	case op == "implements":
		return "every type of your code that implements it, with a value or pointer receiver, is reported at its name"
	case op == "note":
		return "told once per file (test files aside), at its first import of the package, where the file uses one of them"
	case op == "strings":
		return "every string literal that contains one of its import paths is reported, unless an earlier strings rule of the set reports it"
	case op != "manual":
		return ""
	case s.When == "called":
		return "every call is reported for a person"
	case s.When == "result-used":
		return "every call whose result is used is reported for a person"
	case s.When == "value":
		return "every use as a method value or expression, not called, is reported for a person"
	}
	return "every use is reported for a person"
}

// insertArgExample shows the first method or function named, called with
// the argument inserted.
func (s *Spec) insertArgExample() *Example {
	parts := strings.Split(s.InsertArg[0], ".")
	callee := "x." + parts[len(parts)-1]
	if parts[len(parts)-1] == "*" {
		callee = "x.Method"
	}
	if len(parts) == 2 {
		callee = s.InsertArg[0]
	}
	args := []string{"a", "b", "c", "d"}[:min(s.At+1, 4)]
	value := strings.ReplaceAll(s.Value, "$"+ctxHole, "ctx")
	with := append(append(append([]string{}, args[:min(s.At, len(args))]...), value), args[min(s.At, len(args)):]...)
	return &Example{
		Before: fmt.Sprintf("%s(%s)", callee, strings.Join(args, ", ")),
		After:  fmt.Sprintf("%s(%s)", callee, strings.Join(with, ", ")),
	}
}
