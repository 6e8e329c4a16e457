package rewrite

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// render applies the scheduled edits, TODO comments and import changes,
// and prints the file. old is the file's current content; the
// result keeps its byte order mark and the line endings of its lines.
func (f *fileCtx) render(old []byte) ([]byte, error) {
	if err := f.applyEdits(); err != nil {
		return nil, err
	}
	f.addTODOs()
	if err := f.fixImports(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := decorator.NewRestorer().Fprint(&buf, f.dfile); err != nil {
		return nil, fmt.Errorf("print: %w", err)
	}
	out := buf.Bytes()
	if _, err := parser.ParseFile(token.NewFileSet(), "", out, parser.SkipObjectResolution); err != nil {
		return nil, fmt.Errorf("the rewritten file does not parse (%v): please report this", err)
	}
	return keepEndings(old, out), nil
}

// addTODOs puts each "// TODO(migrate): ..." comment above its statement,
// unless it is already there.
func (f *fileCtx) addTODOs() {
	for n, msgs := range f.todos {
		d := f.Dst(n)
		if d == nil {
			continue
		}
		decs := d.Decorations()
		for _, m := range msgs {
			c := "// TODO(migrate): " + m
			if !hasComment(decs.Start, c) {
				decs.Start.Append(c)
				if decs.Before == dst.None {
					decs.Before = dst.NewLine
				}
			}
		}
	}
}

func hasComment(decs dst.Decorations, c string) bool {
	for _, d := range decs {
		if d == c {
			return true
		}
	}
	return false
}

// isGofmt reports whether src is already formatted the way gofmt would.
func isGofmt(src []byte) bool {
	out, err := format.Source(src)
	return err == nil && bytes.Equal(out, src)
}
