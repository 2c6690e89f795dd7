package digest

import (
	"net/url"
	"strings"
	"testing"
)

func TestUnsubscribeTokens(t *testing.T) {
	tokens, err := NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewTokens([]byte(strings.Repeat("o", 32)))
	link := tokens.UnsubscribeURL("https://newsdigest.example/unsubscribe", "daily", "Ana@Example.com")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	list, email, err := tokens.CheckUnsubscribe(q)
	if err != nil || list != "daily" || email != "Ana@Example.com" {
		t.Fatalf("the link's own token: %q %q %v", list, email, err)
	}
	tamper := func(key, value string) url.Values {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set(key, value)
		return v
	}
	bad := map[string]url.Values{
		"another address": tamper("a", "Ym9iQGV4YW1wbGUuY29t"), // bob@example.com
		"another list":    tamper("l", "weekly"),
		"truncated token": tamper("t", q.Get("t")[:20]),
		"empty token":     tamper("t", ""),
		"not base64":      tamper("t", "!!!"),
		"flipped bit":     tamper("t", flip(q.Get("t"))),
	}
	for name, v := range bad {
		if _, _, err := tokens.CheckUnsubscribe(v); err != ErrBadToken {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	if _, _, err := other.CheckUnsubscribe(q); err != ErrBadToken {
		t.Error("a token made with another key was accepted")
	}
	if !tokens.Verify("daily", "ana@example.com", q.Get("t")) {
		t.Error("an address that differs only in case is not the same reader")
	}
	if _, err := NewTokens([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}

func flip(token string) string {
	b := []byte(token)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
