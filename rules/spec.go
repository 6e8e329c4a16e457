package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/module"
)

// Spec is one rule as written in a rule file. Exactly one operation key
// (Move, Rename, Method, Field, Call, Manual, RemoveField, Type, InsertArg,
// Implements, Strings, Note, Go) is set.
type Spec struct {
	// ID names the rule within its set; defaults to the operation and target.
	ID string `yaml:"id"`
	// Doc says in one sentence what the rule changes and why.
	Doc string `yaml:"doc"`
	// Group, when set, is the name the rule's sites and findings are
	// reported under, shared with the other rules of the group: a table of
	// small rules (the renames of an API) reads as one rule in the output.
	Group string `yaml:"group"`
	// Versions narrows the rule to some versions of the packages that list
	// several: each entry is a version's label or import path.
	Versions stringList `yaml:"versions"`

	// Move moves an import path and its subpackages to To; or, given a
	// package name of the set, exactly the import paths it stands for.
	Move string `yaml:"move"`
	// Rename renames a package-level func, var, const or type
	// ("ioutil.ReadAll") to To, a name in the same or another package
	// ("io.ReadAll"), or a bare name that keeps the qualifier (for a package
	// that a move of the set carries to its new path).
	Rename string `yaml:"rename"`
	// Method renames a method of a type, and of the interfaces that declare
	// it ("redis.Client.SetEX"), to the name To. The type "*" stands for
	// every type of the package ("redis.*.XTrim").
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
	// RemoveField deletes a struct field ("old.Options.IdleCheckFrequency")
	// from composite literals where its value is a constant; a value that
	// is not, and every other use of the field, is reported.
	RemoveField string `yaml:"remove-field"`
	// Type changes a type ("old.Pool") to To ("new.Client") in the types of
	// var, field, parameter and result declarations; its other uses are
	// reported.
	Type string `yaml:"type"`
	// InsertArg names methods ("old.Cmdable.*" for all of a type's, or a
	// list such as [old.Client.Get, old.Client.Set]) or functions whose
	// every call gets the argument Value inserted at index At.
	InsertArg stringList `yaml:"insert-arg"`
	// Implements names an interface of the old package ("jwt.Claims"):
	// each type declared in the migrated code that implements it, with a
	// value or a pointer receiver, is reported at its name with Message,
	// in which {type} stands for the type's name, {path} for the import
	// path of the version it implements and {version} for its label.
	Implements string `yaml:"implements"`
	// Strings names a package of the set ("redis", its versions) or an
	// import path: each string literal, import paths aside, that contains
	// one of its import paths is reported with Message, in which {string}
	// stands for the string, {path} for the path it contains and {version}
	// for that version's label. A literal that an earlier strings rule of
	// the set reports is left to it.
	Strings string `yaml:"strings"`
	// Note lists functions and methods ("redis.NewClient",
	// "redis.*.Pipeline"): a file that uses one of them, test files aside,
	// is told Message once, at its first import of their package.
	Note stringList `yaml:"note"`
	// Go names a rule written in Go that the rule set uses.
	Go string `yaml:"go"`

	// To is the target of Move, Rename, Method, Field, Call and Type.
	To string `yaml:"to"`
	// Receiver constrains a Call template of the form $x.Method(...), or a
	// Manual rule of a method, to receivers of this type ("redis.Client").
	Receiver string `yaml:"receiver"`
	// When limits a Manual rule of a function or method to its calls:
	// "called" reports every call, "result-used" the calls whose result is
	// used (more than by an Err() check), each at the call; or to its
	// uses as a value: "value" reports the method values and method
	// expressions (x.M, T.M) that are not called.
	When string `yaml:"when"`
	// At is the index InsertArg inserts the argument at (0: first).
	At int `yaml:"at"`
	// Value is the argument InsertArg inserts: a Go expression, in which
	// $ctx stands for the context.Context in scope at the call. For a Go
	// rule, it is the rule's setting, in a form the rule documents.
	Value string `yaml:"value"`
	// Name is the package name of a Move's new path when it differs from
	// the old package's name.
	Name string `yaml:"name"`
	// Message explains a Manual, Implements, Strings or Note site (and the
	// sites that RemoveField, Type and InsertArg report), or configures a
	// Go rule's reports.
	Message string `yaml:"message"`
	// TODO asks for a "// TODO(migrate): Message" comment at reported sites.
	TODO bool `yaml:"todo"`
	// Example shows the change on a small snippet, for "migrate explain".
	Example *Example `yaml:"example"`

	// Line is where the rule starts in its file.
	Line int `yaml:"-"`
	// keyLines holds the line of each key of the rule.
	keyLines map[string]int
	// moveFrom holds the import paths a Move of a package name moves.
	moveFrom []string
	// reported is the import path, with its version's label, that the
	// derived example of an Implements, Strings or Note rule names.
	reported, reportedLabel string
}

// errLine returns the line an error in the rule points at: the key the
// error starts with ("to: ..."), else the operation's key, else the rule.
func (s *Spec) errLine(err error) int {
	key, _ := s.Op()
	if k, _, ok := strings.Cut(err.Error(), ":"); ok && s.keyLines[k] != 0 {
		key = k
	}
	return s.keyLine(key)
}

// keyLine returns the line of a key of the rule, or of the rule.
func (s *Spec) keyLine(key string) int {
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
		{"call", s.Call}, {"manual", s.Manual}, {"remove-field", s.RemoveField}, {"type", s.Type},
		{"insert-arg", strings.Join(s.InsertArg, ", ")}, {"implements", s.Implements},
		{"strings", s.Strings}, {"note", strings.Join(s.Note, ", ")}, {"go", s.Go},
	}
}

// checkOp verifies that exactly one operation is set, that To is given
// where the operation needs it, and that the other keys apply to it.
func (s *Spec) checkOp() error {
	var set []string
	for _, c := range s.ops() {
		if c.arg != "" {
			set = append(set, c.op)
		}
	}
	switch {
	case len(set) == 0:
		return fmt.Errorf("rule has no operation: set one of move, rename, method, field, call, manual, remove-field, type, insert-arg, implements, strings, note, go")
	case len(set) > 1:
		return fmt.Errorf("rule has several operations (%s): split it into one rule each", strings.Join(set, ", "))
	}
	op := set[0]
	needsTo := slices.Contains([]string{"move", "rename", "method", "field", "call", "type"}, op)
	if needsTo && s.To == "" {
		return fmt.Errorf("%s rule needs a \"to\"", op)
	}
	if !needsTo && s.To != "" {
		return fmt.Errorf("%s rule takes no \"to\"", op)
	}
	if slices.Contains(reportOps, op) && s.Message == "" {
		return fmt.Errorf("%s rule needs a \"message\" saying what to do", op)
	}
	if op == "insert-arg" && s.Value == "" {
		return fmt.Errorf("insert-arg rule needs a \"value\", the argument to insert ($ctx for the context in scope)")
	}
	return s.checkKeys(op)
}

// declOps are the declarative operations.
var declOps = []string{"move", "rename", "method", "field", "call", "manual", "remove-field", "type", "insert-arg", "implements", "strings", "note"}

// reportOps are the operations that only report, with a message.
var reportOps = []string{"manual", "implements", "strings", "note"}

// keyOps lists the operations each optional key applies to, and how an
// error says so.
var keyOps = []struct {
	key  string
	ops  []string
	what string
}{
	{"receiver", []string{"call", "manual"}, "call and manual rules"},
	{"name", []string{"move"}, "move rules"},
	{"when", []string{"manual"}, "manual rules"},
	{"at", []string{"insert-arg"}, "insert-arg rules"},
	{"value", []string{"insert-arg", "go"}, "insert-arg and go rules"},
	{"versions", declOps, "declarative rules, not go"},
}

// checkKeys verifies that each optional key the rule sets applies to op,
// and the values of when and at.
func (s *Spec) checkKeys(op string) error {
	given := map[string]bool{
		"receiver": s.Receiver != "", "name": s.Name != "", "when": s.When != "", "value": s.Value != "",
		"at": s.At != 0 || s.keyLines["at"] != 0, "versions": len(s.Versions) > 0, "group": s.Group != "",
	}
	for _, k := range keyOps {
		if given[k.key] && !slices.Contains(k.ops, op) {
			return fmt.Errorf("%s: applies only to %s", k.key, k.what)
		}
	}
	switch {
	case s.When != "" && s.When != "called" && s.When != "result-used" && s.When != "value":
		return fmt.Errorf("when: %q is not one of called, result-used, value", s.When)
	case s.At < 0:
		return fmt.Errorf("at: %d is not an argument index (0 is the first)", s.At)
	}
	return nil
}

// checkImportPaths verifies that a move rule's paths are import paths a
// Go file can use: a path like "../x", "/x" or "..." would be written
// into the user's imports as is.
func (s *Spec) checkImportPaths(pkgs Packages) error {
	if s.Move == "" {
		return nil
	}
	if _, name := pkgs[s.Move]; !name {
		if err := checkImportPath(strings.TrimSuffix(s.Move, "/...")); err != nil {
			return err
		}
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

// Phase places a rule set in a migration done in phases (a compatibility
// layer first, the call sites after), for "migrate status": the set that
// follows it, and how to tell from the code that it ran.
type Phase struct {
	// Name says in a few words what the phase does.
	Name string `yaml:"name"`
	// Adds is a path relative to the module root that a run of the set
	// creates (the package it adds): while it exists the phase is done,
	// and the next phase leaves what is under it alone.
	Adds string `yaml:"adds"`
	// Next names the rule set of the next phase.
	Next string `yaml:"next"`
	// Cleanup says what to do with Adds once the last phase is done.
	Cleanup string `yaml:"cleanup"`
}

// check verifies the phase's keys: a rule set to name in Next and a
// path inside the module in Adds. The last phase may give only its Name.
func (p *Phase) check() error {
	switch {
	case p.Next != "" && !setNameRE.MatchString(p.Next):
		return fmt.Errorf("phase: next: %q is not a rule set name (lower-case letters, digits, '-' and '.')", p.Next)
	case p.Adds != "" && (path.IsAbs(p.Adds) || path.Clean(p.Adds) != p.Adds || p.Adds == "." || strings.HasPrefix(p.Adds, "../")):
		return fmt.Errorf("phase: adds: %q is not a clean path inside the module, such as internal/rediscompat", p.Adds)
	case p.Cleanup != "" && p.Adds == "":
		return fmt.Errorf("phase: cleanup says what to do with the path the phase adds: set adds too")
	case p.Next == "" && p.Adds == "" && p.Name == "":
		return fmt.Errorf("phase: set next (the rule set of the next phase), adds (the path a run creates) or, for the last phase, name")
	}
	return nil
}
