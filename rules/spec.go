package rules

import (
	"fmt"
	"strings"

	"golang.org/x/mod/module"
)

// Spec is one rule as written in a rule file. Exactly one operation key
// (Move, Rename, Method, Field, Call, Manual, Go) is set.
type Spec struct {
	// ID names the rule within its set; defaults to the operation and target.
	ID string `yaml:"id"`
	// Doc says in one sentence what the rule changes and why.
	Doc string `yaml:"doc"`

	// Move moves an import path and its subpackages to To.
	Move string `yaml:"move"`
	// Rename renames a package-level func, var, const or type
	// ("ioutil.ReadAll") to To, a name in the same or another package
	// ("io.ReadAll").
	Rename string `yaml:"rename"`
	// Method renames a method of a type, and of the interfaces that declare
	// it ("redis.Client.SetEX"), to the name To.
	Method string `yaml:"method"`
	// Field renames a struct field ("redis.Options.IdleTimeout") in
	// selectors and composite literals to the name To.
	Field string `yaml:"field"`
	// Call replaces calls matching a template ("ioutil.TempFile($dir,
	// $pattern)") by the template To ("os.CreateTemp($dir, $pattern)").
	Call string `yaml:"call"`
	// Manual marks every use of a symbol ("ioutil.ReadDir",
	// "redis.Client.Hook") for manual follow-up with Message.
	Manual string `yaml:"manual"`
	// Go names a rule written in Go that the rule set uses.
	Go string `yaml:"go"`

	// To is the target of Move, Rename, Method, Field and Call.
	To string `yaml:"to"`
	// Receiver constrains a Call template of the form $x.Method(...) to
	// receivers of this type ("redis.Client").
	Receiver string `yaml:"receiver"`
	// Name is the package name of a Move's new path when it differs from
	// the old package's name.
	Name string `yaml:"name"`
	// Message explains a Manual site, or configures a Go rule's reports.
	Message string `yaml:"message"`
	// TODO asks for a "// TODO(migrate): Message" comment at Manual sites.
	TODO bool `yaml:"todo"`
	// Example shows the change on a small snippet, for "migrate explain".
	Example *Example `yaml:"example"`

	// Line is where the rule starts in its file.
	Line int `yaml:"-"`
	// keyLines holds the line of each key of the rule.
	keyLines map[string]int
}

// errLine returns the line an error in the rule points at: the "to" key
// for errors in the target, else the operation's key, else the rule.
func (s *Spec) errLine(err error) int {
	key, _ := s.Op()
	if strings.HasPrefix(err.Error(), "to:") {
		key = "to"
	}
	if l, ok := s.keyLines[key]; ok {
		return l
	}
	return s.Line
}

// Example is a before/after snippet.
type Example struct {
	Before string `yaml:"before"`
	After  string `yaml:"after"`
}

// Op returns the rule's operation keyword and its argument.
func (s *Spec) Op() (op, arg string) {
	for _, c := range s.ops() {
		if c.arg != "" {
			return c.op, c.arg
		}
	}
	return "", ""
}

type opArg struct{ op, arg string }

func (s *Spec) ops() []opArg {
	return []opArg{
		{"move", s.Move}, {"rename", s.Rename}, {"method", s.Method}, {"field", s.Field},
		{"call", s.Call}, {"manual", s.Manual}, {"go", s.Go},
	}
}

// checkOp verifies that exactly one operation is set and that To is given
// where the operation needs it.
func (s *Spec) checkOp() error {
	var set []string
	for _, c := range s.ops() {
		if c.arg != "" {
			set = append(set, c.op)
		}
	}
	switch {
	case len(set) == 0:
		return fmt.Errorf("rule has no operation: set one of move, rename, method, field, call, manual, go")
	case len(set) > 1:
		return fmt.Errorf("rule has several operations (%s): split it into one rule each", strings.Join(set, ", "))
	}
	op := set[0]
	needsTo := op != "manual" && op != "go"
	if needsTo && s.To == "" {
		return fmt.Errorf("%s rule needs a \"to\"", op)
	}
	if !needsTo && s.To != "" {
		return fmt.Errorf("%s rule takes no \"to\"", op)
	}
	if op == "manual" && s.Message == "" {
		return fmt.Errorf("manual rule needs a \"message\" saying what to do")
	}
	if s.Receiver != "" && op != "call" {
		return fmt.Errorf("\"receiver\" applies only to call rules")
	}
	if s.Name != "" && op != "move" {
		return fmt.Errorf("\"name\" applies only to move rules")
	}
	return nil
}

// checkImportPaths verifies that a move rule's paths are import paths a
// Go file can use: a path like "../x", "/x" or "..." would be written
// into the user's imports as is.
func (s *Spec) checkImportPaths() error {
	if s.Move == "" {
		return nil
	}
	if err := checkImportPath(strings.TrimSuffix(s.Move, "/...")); err != nil {
		return err
	}
	if err := checkImportPath(strings.TrimSuffix(s.To, "/...")); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	return nil
}

// checkImportPath returns module.CheckImportPath's error with what to do.
func checkImportPath(path string) error {
	if err := module.CheckImportPath(path); err != nil {
		return fmt.Errorf("%v: give an import path such as example.com/mod/pkg", err)
	}
	return nil
}

// defaultID derives an id from the operation and its argument.
func (s *Spec) defaultID() string {
	op, arg := s.Op()
	if i := strings.IndexAny(arg, "($"); i > 0 {
		arg = arg[:i]
	}
	return op + ":" + strings.TrimSpace(arg)
}

// Describe says in one phrase what the rule changes: its doc, or a phrase
// made from its operation.
func (s *Spec) Describe() string {
	if s.Doc != "" {
		return s.Doc
	}
	op, arg := s.Op()
	switch op {
	case "move":
		return fmt.Sprintf("import %s moves to %s", arg, s.To)
	case "rename":
		return fmt.Sprintf("%s becomes %s", arg, s.To)
	case "method", "field":
		return fmt.Sprintf("%s %s is renamed %s", op, arg, s.To)
	case "call":
		return fmt.Sprintf("%s becomes %s", arg, s.To)
	case "manual":
		return s.Message
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
		return &Example{Before: fmt.Sprintf("import %q", arg), After: fmt.Sprintf("import %q", s.To)}
	case "rename", "call":
		return &Example{Before: arg, After: s.To}
	case "method":
		return &Example{Before: fmt.Sprintf("var x %s.%s\nx.%s(...)", parts[0], parts[1], parts[2]), After: fmt.Sprintf("x.%s(...)", s.To)}
	case "field":
		return &Example{Before: fmt.Sprintf("%s.%s{%s: v}", parts[0], parts[1], parts[2]), After: fmt.Sprintf("%s.%s{%s: v}", parts[0], parts[1], s.To)}
	}
	return nil
}
