package digest_test

// Unsubscribe tokens cannot be forged, widened to another address or
// list, or told apart by how they fail; and the MAC is compared in
// constant time, which is checked in the source: a statistical timing
// test (many Verify calls, comparing the time of tokens that differ early
// and late) is too noisy on shared machines, under the race detector and
// with Go's scheduler to pass or fail reliably.

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

const (
	secList  = "daily.newsdigest.example"
	secEmail = "Ana.Ruiz@Example.com"
)

func secTokens(t *testing.T, key string) *digest.Tokens {
	t.Helper()
	tokens, err := digest.NewTokens([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// secQuery is the query of the unsubscribe link for an address on a list.
func secQuery(t *testing.T, tokens *digest.Tokens, list, email string) url.Values {
	t.Helper()
	u, err := url.Parse(tokens.UnsubscribeURL("https://newsdigest.example/unsubscribe", list, email))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func secAddress(email string) string { return base64.RawURLEncoding.EncodeToString([]byte(email)) }

func TestUnsubscribeTokensCannotBeForged(t *testing.T) {
	tokens := secTokens(t, "newsdigest-local-unsubscribe-key-not-secret-000000")
	good := secQuery(t, tokens, secList, secEmail)
	mac, err := base64.RawURLEncoding.DecodeString(good.Get("t"))
	if err != nil || len(mac) != sha256.Size {
		t.Fatalf("token %q: %d bytes (%v), want an HMAC-SHA256", good.Get("t"), len(mac), err)
	}
	with := func(key, value string) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = append([]string(nil), vs...)
		}
		v.Set(key, value)
		return v
	}
	random := make([]byte, sha256.Size)
	rand.Read(random)
	other := secTokens(t, "another-key-of-at-least-thirty-two-bytes!!")
	// The MAC of the right pair under another key, computed by hand.
	h := hmac.New(sha256.New, []byte("another-key-of-at-least-thirty-two-bytes!!"))
	h.Write([]byte(secList + "\x00" + strings.ToLower(secEmail)))

	tests := []struct {
		name  string
		query url.Values
	}{
		{"random token", with("t", base64.RawURLEncoding.EncodeToString(random))},
		{"random text", with("t", rand.Text()+rand.Text())},
		{"empty token", with("t", "")},
		{"no token", func() url.Values { v := with("t", ""); v.Del("t"); return v }()},
		{"truncated by one character", with("t", good.Get("t")[:len(good.Get("t"))-1])},
		{"truncated to 16 bytes", with("t", base64.RawURLEncoding.EncodeToString(mac[:16]))},
		{"first byte alone", with("t", base64.RawURLEncoding.EncodeToString(mac[:1]))},
		{"one byte more", with("t", base64.RawURLEncoding.EncodeToString(append(bytes.Clone(mac), 0)))},
		{"token twice", with("t", good.Get("t")+good.Get("t"))},
		{"padded base64", with("t", base64.URLEncoding.EncodeToString(mac))},
		{"standard base64 alphabet", with("t", strings.NewReplacer("-", "+", "_", "/").Replace(good.Get("t"))+"+")},
		{"upper-cased token", with("t", strings.ToUpper(good.Get("t")))},
		{"spaces around the token", with("t", " "+good.Get("t")+" ")},
		{"hex of the MAC", with("t", strings.ToLower(base64.StdEncoding.EncodeToString(mac)))},
		{"all zero MAC", with("t", base64.RawURLEncoding.EncodeToString(make([]byte, sha256.Size)))},
		{"another address's token", with("t", tokens.Sign(secList, "bob@example.com"))},
		{"the token for another address", with("a", secAddress("bob@example.com"))},
		{"the token for another list", with("l", "weekly.newsdigest.example")},
		{"another list's token", with("t", tokens.Sign("weekly.newsdigest.example", secEmail))},
		{"list in another case", with("l", strings.ToUpper(secList))},
		{"the right pair under another key", with("t", other.Sign(secList, secEmail))},
		{"the right pair under another key, by hand", with("t", base64.RawURLEncoding.EncodeToString(h.Sum(nil)))},
		{"the key itself", with("t", base64.RawURLEncoding.EncodeToString([]byte("newsdigest-local-unsubscribe-key-not-secret-000000")))},
		{"address not base64", with("a", "ana.ruiz@example.com")},
		{"empty address", with("a", "")},
		{"empty list", with("l", "")},
		{"a NUL moved from the list into the address", func() url.Values {
			// ("x", "y\x00ana") signs the bytes ("x\x00y", "ana") signs.
			v := with("l", "x")
			v.Set("a", secAddress("y\x00ana.ruiz@example.com"))
			v.Set("t", tokens.Sign("x\x00y", "ana.ruiz@example.com"))
			return v
		}()},
		{"a NUL moved from the address into the list", func() url.Values {
			v := with("l", secList+"\x00ana.ruiz")
			v.Set("a", secAddress("example.com"))
			v.Set("t", tokens.Sign(secList, "ana.ruiz\x00example.com"))
			return v
		}()},
	}
	for i := range mac {
		for _, bit := range []byte{0x01, 0x80} {
			flipped := bytes.Clone(mac)
			flipped[i] ^= bit
			tests = append(tests, struct {
				name  string
				query url.Values
			}{fmt.Sprintf("bit %#02x of byte %d flipped", bit, i), with("t", base64.RawURLEncoding.EncodeToString(flipped))})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, email, err := tokens.CheckUnsubscribe(tt.query)
			if err != digest.ErrBadToken || list != "" || email != "" {
				t.Errorf("CheckUnsubscribe = %q, %q, %v; want nothing and ErrBadToken, the one answer", list, email, err)
			}
		})
	}

	// The link's own query is good, so every refusal above is the change.
	if list, email, err := tokens.CheckUnsubscribe(good); err != nil || list != secList || email != secEmail {
		t.Fatalf("the link's own query: %q %q %v", list, email, err)
	}
}

// TestUnsubscribeTokensFoldTheAddressAsEmailKey: a token is for a reader,
// and a reader is their address folded by EmailKey (case and surrounding
// space), as every store keys them. A change of case is the same reader,
// not another one, so it verifies; any other change does not.
func TestUnsubscribeTokensFoldTheAddressAsEmailKey(t *testing.T) {
	tokens := secTokens(t, strings.Repeat("k", 32))
	tok := tokens.Sign(secList, secEmail)
	tests := []struct {
		email string
		ok    bool
	}{
		{secEmail, true},
		{"ana.ruiz@example.com", true},
		{"ANA.RUIZ@EXAMPLE.COM", true},
		{" ana.ruiz@example.com ", true},
		{"ana.ruiz@example.co", false},
		{"ana.ruiz@example.com.", false},
		{"anaruiz@example.com", false},
		{"ana.ruiz+x@example.com", false},
		{"ana.ruiz@example.com\x00", false},
		{"ana.ruız@example.com", false}, // dotless ı, which ToUpper would fold to I
	}
	for _, tt := range tests {
		if got := tokens.Verify(secList, tt.email, tok); got != tt.ok {
			t.Errorf("Verify(%q) = %v, want %v", tt.email, got, tt.ok)
		}
		if got := digest.EmailKey(tt.email) == digest.EmailKey(secEmail); got != tt.ok && !strings.Contains(tt.email, "\x00") {
			t.Errorf("EmailKey(%q) same reader: %v, but Verify says %v", tt.email, got, tt.ok)
		}
	}
}

// TestTokensCompareInConstantTime reads token.go and checks that every
// comparison of a MAC, or of a token, goes through hmac.Equal or
// subtle.ConstantTimeCompare: no ==, !=, switch, bytes.Equal or the
// like on them. MAC-bearing values are the results of mac and Sign,
// the token parameters, what is decoded from them, and whatever is
// assigned from those.
func TestTokensCompareInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "token.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	tainted := map[string]bool{"token": true}
	isTainted := func(e ast.Expr) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				found = found || tainted[n.Name]
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "mac" || sel.Sel.Name == "Sign") {
					found = true
				}
				// q.Get("t") is the token of a link.
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Get" && len(n.Args) == 1 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Value == `"t"` {
						found = true
					}
				}
			}
			return !found
		})
		return found
	}
	// Propagate: names assigned from MAC-bearing values are MAC-bearing,
	// until nothing changes.
	for changed := true; changed; {
		changed = false
		ast.Inspect(f, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok {
				return true
			}
			for i, lhs := range as.Lhs {
				id, ok := lhs.(*ast.Ident)
				if !ok || tainted[id.Name] || id.Name == "_" {
					continue
				}
				rhs := as.Rhs[0]
				if len(as.Rhs) == len(as.Lhs) {
					rhs = as.Rhs[i]
				} else if i > 0 {
					continue // the error of a call that returns two values
				}
				if isTainted(rhs) {
					tainted[id.Name], changed = true, true
				}
			}
			return true
		})
	}
	for _, name := range []string{"got", "token"} {
		if !tainted[name] {
			t.Errorf("token.go: the analysis lost %s; update the test with the code", name)
		}
	}
	variableTime := map[string]bool{"bytes.Equal": true, "bytes.Compare": true, "strings.Compare": true, "strings.EqualFold": true,
		"reflect.DeepEqual": true, "slices.Equal": true, "slices.Compare": true, "strings.HasPrefix": true, "bytes.HasPrefix": true}
	constantTime := map[string]bool{"hmac.Equal": true, "subtle.ConstantTimeCompare": true}
	var constantTimeUses int
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ || n.Op == token.LSS || n.Op == token.GTR) && (isTainted(n.X) || isTainted(n.Y)) {
				t.Errorf("%s: a MAC or token compared with %s", fset.Position(n.Pos()), n.Op)
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && isTainted(n.Tag) {
				t.Errorf("%s: a switch on a MAC or token", fset.Position(n.Pos()))
			}
		case *ast.IndexExpr:
			if isTainted(n.Index) {
				t.Errorf("%s: a MAC or token used as a key", fset.Position(n.Pos()))
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			name := pkg.Name + "." + sel.Sel.Name
			anyTainted := false
			for _, a := range n.Args {
				anyTainted = anyTainted || isTainted(a)
			}
			if variableTime[name] && anyTainted {
				t.Errorf("%s: a MAC or token compared with %s, which returns at the first difference", fset.Position(n.Pos()), name)
			}
			if constantTime[name] && len(n.Args) == 2 && isTainted(n.Args[0]) && isTainted(n.Args[1]) {
				constantTimeUses++
			}
		}
		return true
	})
	if constantTimeUses == 0 {
		t.Error("token.go compares no MAC with hmac.Equal or subtle.ConstantTimeCompare")
	}
}
