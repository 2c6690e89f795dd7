package awslocal

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	ssmTargetPrefix = "AmazonSSM."
	ssmContentType  = "application/x-amz-json-1.1"
)

// SSM is an in-memory Parameter Store. Its zero value is not usable;
// NewSSM makes one. All its methods are safe for concurrent use.
type SSM struct {
	mu     sync.Mutex
	params map[string]*parameter // by name
}

type parameter struct {
	value  string
	secure bool
	// ciphertext stands for the KMS-encrypted value that GetParameter
	// returns for a SecureString read without decryption.
	ciphertext string
	version    int64
	modified   time.Time
}

// NewSSM returns a store with no parameters.
func NewSSM() *SSM {
	return &SSM{params: make(map[string]*parameter)}
}

// Put stores the parameter, as a SecureString if secure, else a String;
// a parameter that exists is overwritten and its version goes up by one,
// as PutParameter with Overwrite does.
func (s *SSM) Put(name, value string, secure bool) {
	var blob [48]byte
	rand.Read(blob[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.params[name]
	if !ok {
		p = &parameter{}
		s.params[name] = p
	}
	p.value, p.secure, p.version, p.modified = value, secure, p.version+1, time.Now()
	p.ciphertext = base64.StdEncoding.EncodeToString(blob[:])
}

// ServeHTTP answers one SSM API request; GetParameter is the operation
// served.
func (s *SSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op := func(*http.Request, []byte) (any, error) { return nil, unknownOperation(target) }
	if target == ssmTargetPrefix+"GetParameter" {
		op = s.getParameter
	}
	serve(w, r, ssmContentType, op)
}

type getParameterInput struct {
	Name           string
	WithDecryption bool
}

type getParameterOutput struct {
	Parameter parameterOutput
}

type parameterOutput struct {
	Name    string
	Type    string
	Value   string
	Version int64
	ARN     string
	// LastModifiedDate is in seconds since the epoch, the JSON protocols'
	// timestamp.
	LastModifiedDate float64
	DataType         string
}

// getParameter reads a parameter by name; a SecureString read without
// decryption gives its ciphertext, as SSM does. Version and label
// selectors ("name:3") are not kept, so such a name is not found.
func (s *SSM) getParameter(r *http.Request, body []byte) (any, error) {
	var in getParameterInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.params[in.Name]
	if !ok {
		// SSM names the error in its 1.1 form, without a namespace, and
		// says nothing more.
		return nil, &apiError{status: http.StatusBadRequest, typ: "ParameterNotFound"}
	}
	out := parameterOutput{
		Name:             in.Name,
		Type:             "String",
		Value:            p.value,
		Version:          p.version,
		ARN:              "arn:aws:ssm:" + requestRegion(r) + ":" + accountID + ":parameter/" + strings.TrimPrefix(in.Name, "/"),
		LastModifiedDate: float64(p.modified.UnixMilli()) / 1000,
		DataType:         "text",
	}
	if p.secure {
		out.Type = "SecureString"
		if !in.WithDecryption {
			out.Value = p.ciphertext
		}
	}
	return getParameterOutput{Parameter: out}, nil
}
