package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Tokens signs and checks unsubscribe links: an HMAC-SHA256 over the list
// and the address with a secret key, so that a link unsubscribes one
// address from one list and cannot be forged, widened to another address
// or list, or guessed.
type Tokens struct {
	key []byte
}

// MinTokenKey is the shortest secret key accepted: 256 bits.
const MinTokenKey = 32

// NewTokens returns Tokens with the secret key.
func NewTokens(key []byte) (*Tokens, error) {
	if len(key) < MinTokenKey {
		return nil, fmt.Errorf("unsubscribe key: %d bytes, want at least %d", len(key), MinTokenKey)
	}
	return &Tokens{key: append([]byte(nil), key...)}, nil
}

// Sign is the token for an address on a list.
func (t *Tokens) Sign(list, email string) string {
	return base64.RawURLEncoding.EncodeToString(t.mac(list, email))
}

func (t *Tokens) mac(list, email string) []byte {
	m := hmac.New(sha256.New, t.key)
	// The parts are joined by a zero byte, which Verify refuses in either,
	// so that no two pairs sign the same bytes: ("a\x00b", "c") would
	// otherwise share its token with ("a", "b\x00c").
	m.Write([]byte(list))
	m.Write([]byte{0})
	m.Write([]byte(EmailKey(email)))
	return m.Sum(nil)
}

// Verify reports whether token is the one for the address on the list, in
// constant time. Only Sign's own spelling of it counts: the base64 decoder
// would also take it with line breaks inside or other bits after its last
// byte.
func (t *Tokens) Verify(list, email, token string) bool {
	if strings.IndexByte(list, 0) >= 0 || strings.IndexByte(email, 0) >= 0 {
		return false
	}
	got, want := []byte(token), []byte(t.Sign(list, email))
	return hmac.Equal(got, want)
}

// UnsubscribeURL is an address's one-click unsubscribe link under base
// (https://…/unsubscribe): the list, the address and the token.
func (t *Tokens) UnsubscribeURL(base, list, email string) string {
	q := url.Values{}
	q.Set("l", list)
	q.Set("a", base64.RawURLEncoding.EncodeToString([]byte(email)))
	q.Set("t", t.Sign(list, email))
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + q.Encode()
}

// ErrBadToken is the one answer to every unsubscribe link that does not
// check out, whatever is wrong with it.
var ErrBadToken = errors.New("unsubscribe link not valid")

// CheckUnsubscribe reads an unsubscribe link's query and returns the list
// and address it unsubscribes, or ErrBadToken.
func (t *Tokens) CheckUnsubscribe(q url.Values) (list, email string, err error) {
	list = q.Get("l")
	raw, decodeErr := base64.RawURLEncoding.DecodeString(q.Get("a"))
	email = string(raw)
	if decodeErr != nil || list == "" || email == "" || !t.Verify(list, email, q.Get("t")) {
		return "", "", ErrBadToken
	}
	return list, email, nil
}
