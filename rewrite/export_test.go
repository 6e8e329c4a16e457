package rewrite

// CheckWithGoList makes the check of a run with o load the rewritten
// packages with go list, never in process.
func CheckWithGoList(o *Options) { o.checkWithGoList = true }

// LoadWithGoPackages makes the first load of a run with o use go/packages,
// never loadFromSource.
func LoadWithGoPackages(o *Options) { o.loadWithGoPackages = true }
