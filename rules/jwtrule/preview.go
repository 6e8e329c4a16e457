package jwtrule

import (
	"github.com/migrate-tool/migrate/rules"
)

// PreviewV4 reports the imports of github.com/dgrijalva/jwt-go/v4 (its
// v4.0.0-preview1 tag and the pseudo-versions before it), a different API (ClaimStrings audience, *Time dates,
// NewParser options) that the other rules do not cover.
var PreviewV4 = &rules.GoRule{
	Name: "jwt-preview-v4",
	Doc: "an import of github.com/dgrijalva/jwt-go/v4 (v4.0.0-preview1, an API of its own) is reported " +
		"with a TODO: move it to github.com/golang-jwt/jwt/v5 by hand",
	Paths:         []string{pathV4 + "/..."},
	ImportersOnly: true,
	Run:           runPreviewV4,
}

const msgPreview = "github.com/dgrijalva/jwt-go/v4 (the unreleased v4 previews) has an API of its own that this rule set does not " +
	"rewrite: move it to github.com/golang-jwt/jwt/v5 by hand (its StandardClaims becomes RegisteredClaims, " +
	"its *Time *NumericDate; NewParser takes options in both)"

func runPreviewV4(p *rules.Pass) error {
	for _, spec := range p.AST().Imports {
		if rules.MatchPath(rules.Unquote(spec.Path), []string{pathV4 + "/..."}) {
			p.Report(spec.Pos(), msgPreview, true)
		}
	}
	return nil
}
