package status

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Text writes the report for a terminal.
func (r *Report) Text(w io.Writer) {
	fmt.Fprintf(w, "migration %s: %d of %d files done (%d%%), %d old %s left, %d %s for a person\n",
		strings.Join(r.Sets, ","), r.Done, r.Done+r.ToDo, r.Percent, r.OldUses, plural(r.OldUses, "use", "uses"), r.Manual, plural(r.Manual, "site", "sites"))
	for _, f := range r.Files {
		switch {
		case f.Remaining():
			fmt.Fprintf(w, "\nto do  %s\n", f.Path)
			for _, x := range f.Other {
				fmt.Fprintf(w, "         %s\n", x.Message)
			}
			for _, u := range f.Uses {
				fmt.Fprintf(w, "  %d:%d  %s (%s)\n", u.Pos.Line, u.Pos.Column, u.Message, u.Rule)
			}
			for _, m := range f.Manual {
				fmt.Fprintf(w, "  %d:%d  MANUAL: %s (%s)\n", m.Pos.Line, m.Pos.Column, m.Message, m.Rule)
			}
		case f.Done:
			fmt.Fprintf(w, "done   %s\n", f.Path)
		}
		for _, i := range f.Ignored {
			fmt.Fprintf(w, "  %d:%d  ignored: %s\n", i.Pos.Line, i.Pos.Column, i.Message)
		}
	}
	if len(r.Phases) > 0 {
		fmt.Fprintln(w)
		for _, st := range r.Phases {
			state := "to do"
			if st.Done {
				state = "done "
			}
			fmt.Fprintf(w, "%s  %s: %s (%s)\n", state, stepName(st), st.What, st.Why)
		}
		if next := r.nextStep(); next != nil {
			fmt.Fprintf(w, "\nnext: %s\n", r.NextStep)
		}
		return
	}
	if r.ToDo > 0 {
		fmt.Fprintf(w, "\nnext: %s\n", r.NextStep)
	}
}

// stepName names a step: "phase 1 of 2 (redigo-compat)", or "cleanup".
func stepName(st Step) string {
	if st.Set == "" {
		return st.Label
	}
	return fmt.Sprintf("%s (%s)", st.Label, st.Set)
}

// Markdown writes the report as a migration plan a team can paste into a
// ticket: a checklist of files, the manual follow-ups, the next command.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "# Migration status: %s\n\n", strings.Join(r.Sets, ", "))
	fmt.Fprintf(w, "Module `%s`: **%d of %d files migrated (%d%%)**. %d old %s left to rewrite, %d %s a person",
		r.Module, r.Done, r.Done+r.ToDo, r.Percent, r.OldUses, plural(r.OldUses, "use", "uses"), r.Manual, plural(r.Manual, "site needs", "sites need"))
	if r.Ignored > 0 {
		fmt.Fprintf(w, ", %d opted out with `//migrate:ignore`", r.Ignored)
	}
	fmt.Fprint(w, ".\n")
	r.markdownPhases(w)
	if len(r.Files) > 0 {
		fmt.Fprint(w, "\n## Files\n\n")
	}
	for _, f := range r.Files {
		switch {
		case f.Remaining():
			fmt.Fprintf(w, "- [ ] `%s`%s\n", f.Path, fileNote(f))
		case f.Done:
			fmt.Fprintf(w, "- [x] `%s`\n", f.Path)
		}
	}
	r.markdownManual(w)
	if len(r.Phases) > 0 {
		r.markdownNextPhase(w)
		return
	}
	if r.ToDo > 0 {
		fmt.Fprintf(w, "\n## Next step\n\n```sh\n%s\n```\n", r.NextStep)
		fmt.Fprint(w, "\nEach file becomes one verified commit; `migrate restore` undoes any step.\n")
	} else {
		fmt.Fprint(w, "\nNothing left to rewrite. Keep it that way in CI with `migrate check`.\n")
	}
}

func fileNote(f *FileStatus) string {
	var parts []string
	if n := len(f.Uses); n > 0 {
		parts = append(parts, fmt.Sprintf("%d old %s", n, plural(n, "use", "uses")))
	}
	if n := len(f.Manual); n > 0 {
		parts = append(parts, fmt.Sprintf("%d manual", n))
	}
	for _, o := range f.Other {
		parts = append(parts, o.Message)
	}
	if len(parts) == 0 {
		return ""
	}
	return " — " + strings.Join(parts, ", ")
}

func (r *Report) markdownManual(w io.Writer) {
	if r.Manual+r.Ignored == 0 {
		return
	}
	fmt.Fprint(w, "\n## Manual follow-up\n\n")
	for _, f := range r.Files {
		for _, m := range f.Manual {
			fmt.Fprintf(w, "- [ ] `%s:%d` %s (`%s`)\n", f.Path, m.Pos.Line, m.Message, m.Rule)
		}
	}
	for _, f := range r.Files {
		for _, i := range f.Ignored {
			fmt.Fprintf(w, "- ignored `%s:%d`: %s\n", f.Path, i.Pos.Line, strings.TrimPrefix(i.Message, "left as is by //migrate:ignore: "))
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// markdownPhases writes the checklist of a migration in phases: each
// phase with its rule set, then the cleanups, the next one marked.
func (r *Report) markdownPhases(w io.Writer) {
	if len(r.Phases) == 0 {
		return
	}
	next := r.nextStep()
	if next != nil && next.Set != "" {
		fmt.Fprintf(w, "\nThe migration runs in phases; %s is next (`%s`).\n", next.Label, next.Next)
	} else if next != nil {
		fmt.Fprint(w, "\nThe migration runs in phases; every phase is done, a cleanup is left.\n")
	} else {
		fmt.Fprint(w, "\nThe migration runs in phases; every phase is done.\n")
	}
	fmt.Fprint(w, "\n## Phases\n\n")
	for i, st := range r.Phases {
		box := " "
		if st.Done {
			box = "x"
		}
		mark := ""
		if next == &r.Phases[i] {
			mark = " — **next**"
		}
		if st.Set != "" {
			fmt.Fprintf(w, "- [%s] %s, `%s`: %s (%s)%s\n", box, stepTitle(st), st.Set, st.What, st.Why, mark)
		} else {
			fmt.Fprintf(w, "- [%s] %s: %s (%s)%s\n", box, stepTitle(st), st.What, st.Why, mark)
		}
	}
}

// markdownNextPhase writes the next step of a migration in phases: the
// command of the next phase, or the cleanup left to do.
func (r *Report) markdownNextPhase(w io.Writer) {
	next := r.nextStep()
	switch {
	case next == nil:
		fmt.Fprint(w, "\nNothing left to do: every phase is done. Keep it that way in CI with `migrate check`.\n")
	case next.IsCommand():
		fmt.Fprintf(w, "\n## Next step\n\n```sh\n%s\n```\n", r.NextStep)
		if slices.Contains(r.Sets, next.Set) {
			fmt.Fprint(w, "\nEach file becomes one verified commit; `migrate restore` undoes any step.\n")
		} else {
			fmt.Fprint(w, "\n`migrate restore` undoes the run.\n")
		}
	default:
		fmt.Fprintf(w, "\n## Next step\n\n%s.\n", capitalize(next.What))
	}
}

// stepTitle is a step's label with a capital first letter.
func stepTitle(st Step) string { return capitalize(st.Label) }

func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
