// Package templates holds the digest email's theme: the HTML template that
// hermes renders and inlines, and the plain-text twin. Both are embedded
// into the binaries.
package templates

import _ "embed"

// DigestHTML is the email's HTML template, executed by hermes with the
// edition mapped onto its Table (see digest/hermes).
//
//go:embed digest.html
var DigestHTML string

// DigestText is the plain-text template: the lines are wrapped and the
// links numbered before it runs, so it only lays them out.
//
//go:embed digest.txt
var DigestText string
