package awslocal

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	sqsTargetPrefix = "AmazonSQS."
	sqsContentType  = "application/x-amz-json-1.0"
)

// SQS's limits, as its developer guide gives them.
const (
	// maxMessageBytes bounds one message, body and attributes, and the sum
	// of a batch's messages.
	maxMessageBytes      = 1 << 20
	maxBatchEntries      = 10
	maxBatchEntryIDLen   = 80
	maxQueueNameLen      = 80
	maxMessageAttributes = 10
	maxDelaySeconds      = 900
	maxVisibilitySeconds = 12 * 60 * 60
	maxWaitSeconds       = 20
	maxReceiveMessages   = 10
	maxRedriveReceives   = 1000
	defaultVisibility    = 30 * time.Second
)

// SQS is an in-memory standard queue service. Its zero value is not
// usable; NewSQS makes one. All its methods are safe for concurrent use.
type SQS struct {
	mu sync.Mutex
	// endpoint prefixes queue URLs; a queue is found by its URL's path
	// alone, so a URL made before the endpoint was known still works.
	endpoint string
	queues   map[string]*queue // by name
	// changed is closed, and replaced, whenever a message is added, to
	// wake the long polls.
	changed chan struct{}
	// failures are the batch entries still to fail, and how.
	failures    int
	failCode    string
	senderFault bool
}

type queue struct {
	name       string
	created    time.Time
	visibility time.Duration
	messages   []*message // not deleted, in the order sent
	// receipts holds every receipt handle the queue gave out, so that an
	// outdated one is told from one it never gave.
	receipts map[string]*message
	redrive  *redrive
}

type redrive struct {
	dlq             *queue
	maxReceiveCount int
}

type message struct {
	id         string
	body       string
	bodyMD5    string
	attributes map[string]MessageAttribute
	sent       time.Time
	// visibleAt is when the message may next be received: its send time
	// plus its delay, then each receive's time plus its timeout.
	visibleAt    time.Time
	receiveCount int
	firstReceive time.Time
	// receipt is the latest receipt handle, the one that deletes it.
	receipt string
	gone    bool // deleted, or moved to the dead-letter queue
}

// Message is a queued message as Messages shows it.
type Message struct {
	ID           string
	Body         string
	Attributes   map[string]MessageAttribute
	Sent         time.Time
	ReceiveCount int
	// InFlight is true while a receive's visibility timeout runs.
	InFlight bool
}

// MessageAttribute is a message attribute as SQS carries it. DataType is
// String, Number or Binary, optionally followed by ".label".
type MessageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// NewSQS returns a service with no queues.
func NewSQS() *SQS {
	return &SQS{
		endpoint: "http://127.0.0.1",
		queues:   make(map[string]*queue),
		changed:  make(chan struct{}),
	}
}

func (s *SQS) setEndpoint(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpoint = strings.TrimSuffix(endpoint, "/")
}

// CreateQueue makes a standard queue whose messages stay invisible for
// visibility after each receive (30 seconds if zero; unlike SQS, finer
// than whole seconds, so that tests need not wait), and returns its URL.
// A queue of that name that exists already is kept as it is. A name SQS
// would refuse is a mistake in the caller, and panics.
func (s *SQS) CreateQueue(name string, visibility time.Duration) (queueURL string) {
	if !validName(name, maxQueueNameLen) {
		panic(fmt.Sprintf("awslocal: queue name %q: want 1 to %d letters, digits, '-' or '_'", name, maxQueueNameLen))
	}
	if visibility <= 0 {
		visibility = defaultVisibility
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[name]; !ok {
		s.queues[name] = &queue{name: name, created: time.Now(), visibility: visibility, receipts: make(map[string]*message)}
	}
	return s.queueURL(name)
}

// SetRedrive moves each message of the queue at srcURL that is about to
// be received more than maxReceiveCount times to the queue at dlqURL, as
// a redrive policy does. The moved message keeps its id, body, attributes
// and send time, and starts the dead-letter queue unreceived.
func (s *SQS) SetRedrive(srcURL, dlqURL string, maxReceiveCount int) error {
	if maxReceiveCount < 1 || maxReceiveCount > maxRedriveReceives {
		return fmt.Errorf("awslocal: max receive count %d: want 1 to %d", maxReceiveCount, maxRedriveReceives)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, err := s.lookup(srcURL)
	if err != nil {
		return fmt.Errorf("awslocal: redrive from %s: %w", srcURL, err)
	}
	dlq, err := s.lookup(dlqURL)
	if err != nil {
		return fmt.Errorf("awslocal: redrive to %s: %w", dlqURL, err)
	}
	if src == dlq {
		return fmt.Errorf("awslocal: queue %s cannot be its own dead-letter queue", src.name)
	}
	src.redrive = &redrive{dlq: dlq, maxReceiveCount: maxReceiveCount}
	return nil
}

// FailNext makes the next n entries of SendMessageBatch requests, to any
// queue, come back in Failed with code and senderFault instead of being
// queued, as SQS does with entries it could not store. It replaces the
// failures still to come.
func (s *SQS) FailNext(n int, code string, senderFault bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures, s.failCode, s.senderFault = n, code, senderFault
}

// Messages returns the queue's messages that are not deleted, in the
// order sent, or nil for a queue that does not exist.
func (s *SQS) Messages(queueURL string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(queueURL)
	if err != nil {
		return nil
	}
	now := time.Now()
	out := make([]Message, len(q.messages))
	for i, m := range q.messages {
		out[i] = Message{
			ID:           m.id,
			Body:         m.body,
			Attributes:   maps.Clone(m.attributes),
			Sent:         m.sent,
			ReceiveCount: m.receiveCount,
			InFlight:     m.receiveCount > 0 && now.Before(m.visibleAt),
		}
	}
	return out
}

// ServeHTTP answers one SQS API request.
func (s *SQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	var op operation
	switch strings.TrimPrefix(target, sqsTargetPrefix) {
	case "SendMessage":
		op = s.sendMessage
	case "SendMessageBatch":
		op = s.sendMessageBatch
	case "ReceiveMessage":
		op = s.receiveMessage
	case "DeleteMessage":
		op = s.deleteMessage
	case "GetQueueUrl":
		op = s.getQueueURL
	case "GetQueueAttributes":
		op = s.getQueueAttributes
	}
	if op == nil || !strings.HasPrefix(target, sqsTargetPrefix) {
		op = func(*http.Request, []byte) (any, error) { return nil, unknownOperation(target) }
	}
	serve(w, r, sqsContentType, op)
}

// sqsError is an SQS error answer. Its __type is the error's shape id;
// the query code, which the SDK reports as the error's code, is the one
// the SQS model gives the shape (awsQueryError), else the name itself.
func sqsError(code, format string, args ...any) *apiError {
	e := &apiError{
		status:    http.StatusBadRequest,
		typ:       "com.amazonaws.sqs#" + code,
		queryCode: code,
		message:   fmt.Sprintf(format, args...),
	}
	switch code {
	case "QueueDoesNotExist":
		e.queryCode = "AWS.SimpleQueueService.NonExistentQueue"
	case "EmptyBatchRequest", "TooManyEntriesInBatchRequest", "BatchEntryIdsNotDistinct", "InvalidBatchEntryId", "BatchRequestTooLong":
		e.queryCode = "AWS.SimpleQueueService." + code
	case "ReceiptHandleIsInvalid":
		e.status = http.StatusNotFound
	}
	return e
}

func invalidParameter(format string, args ...any) *apiError {
	return sqsError("InvalidParameterValue", format, args...)
}

func (s *SQS) queueURL(name string) string {
	return s.endpoint + "/" + accountID + "/" + name
}

// lookup finds the queue at a URL by the URL's path, /account/name.
func (s *SQS) lookup(queueURL string) (*queue, error) {
	notFound := sqsError("QueueDoesNotExist", "The specified queue does not exist.")
	u, err := url.Parse(queueURL)
	if err != nil {
		return nil, notFound
	}
	account, name, ok := strings.Cut(strings.Trim(u.Path, "/"), "/")
	if !ok || account != accountID {
		return nil, notFound
	}
	q, ok := s.queues[name]
	if !ok {
		return nil, notFound
	}
	return q, nil
}

func (s *SQS) queueArn(r *http.Request, q *queue) string {
	return "arn:aws:sqs:" + requestRegion(r) + ":" + accountID + ":" + q.name
}

// notify wakes the long polls; s.mu is held.
func (s *SQS) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

type sendMessageInput struct {
	QueueUrl          string
	MessageBody       string
	DelaySeconds      int
	MessageAttributes map[string]MessageAttribute
}

type sendMessageOutput struct {
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

func (s *SQS) sendMessage(r *http.Request, body []byte) (any, error) {
	var in sendMessageInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := validateMessage(in.MessageBody, in.DelaySeconds, in.MessageAttributes); err != nil {
		return nil, err
	}
	m := s.enqueue(q, in.MessageBody, in.DelaySeconds, in.MessageAttributes)
	return sendMessageOutput{MessageId: m.id, MD5OfMessageBody: m.bodyMD5, MD5OfMessageAttributes: attributesMD5(m.attributes)}, nil
}

type sendMessageBatchInput struct {
	QueueUrl string
	Entries  []sendMessageBatchEntry
}

type sendMessageBatchEntry struct {
	Id                string
	MessageBody       string
	DelaySeconds      int
	MessageAttributes map[string]MessageAttribute
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResult
	Failed     []batchResultError
}

type sendMessageBatchResult struct {
	Id                     string
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

type batchResultError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string `json:",omitempty"`
}

func (s *SQS) sendMessageBatch(r *http.Request, body []byte) (any, error) {
	var in sendMessageBatchInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	switch n := len(in.Entries); {
	case n == 0:
		return nil, sqsError("EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	case n > maxBatchEntries:
		return nil, sqsError("TooManyEntriesInBatchRequest", "Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, n)
	}
	ids := make(map[string]bool, len(in.Entries))
	total := 0
	for _, e := range in.Entries {
		if ids[e.Id] {
			return nil, sqsError("BatchEntryIdsNotDistinct", "Id %s repeated.", e.Id)
		}
		ids[e.Id] = true
		if !validName(e.Id, maxBatchEntryIDLen) {
			return nil, sqsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most %d letters long.", maxBatchEntryIDLen)
		}
		total += messageSize(e.MessageBody, e.MessageAttributes)
	}
	if total > maxMessageBytes {
		return nil, sqsError("BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxMessageBytes, total)
	}

	out := sendMessageBatchOutput{Successful: []sendMessageBatchResult{}, Failed: []batchResultError{}}
	for _, e := range in.Entries {
		if s.failures > 0 {
			s.failures--
			out.Failed = append(out.Failed, batchResultError{Id: e.Id, SenderFault: s.senderFault, Code: s.failCode, Message: "failed by awslocal.FailNext"})
			continue
		}
		if err := validateMessage(e.MessageBody, e.DelaySeconds, e.MessageAttributes); err != nil {
			out.Failed = append(out.Failed, batchResultError{Id: e.Id, SenderFault: true, Code: err.queryCode, Message: err.message})
			continue
		}
		m := s.enqueue(q, e.MessageBody, e.DelaySeconds, e.MessageAttributes)
		out.Successful = append(out.Successful, sendMessageBatchResult{
			Id:                     e.Id,
			MessageId:              m.id,
			MD5OfMessageBody:       m.bodyMD5,
			MD5OfMessageAttributes: attributesMD5(m.attributes),
		})
	}
	return out, nil
}

// enqueue adds a checked message to q; s.mu is held.
func (s *SQS) enqueue(q *queue, body string, delaySeconds int, attributes map[string]MessageAttribute) *message {
	now := time.Now()
	sum := md5.Sum([]byte(body))
	m := &message{
		id:         newID(),
		body:       body,
		bodyMD5:    hex.EncodeToString(sum[:]),
		attributes: maps.Clone(attributes),
		sent:       now,
		visibleAt:  now.Add(time.Duration(delaySeconds) * time.Second),
	}
	q.messages = append(q.messages, m)
	s.notify()
	return m
}

// validateMessage checks a message as SQS does before it queues it.
func validateMessage(body string, delaySeconds int, attributes map[string]MessageAttribute) *apiError {
	if body == "" {
		return sqsError("MissingParameter", "The request must contain the parameter MessageBody.")
	}
	if !validMessageText(body) {
		return sqsError("InvalidMessageContents", "Invalid binary character in the message body; see the allowed characters in the SendMessage reference.")
	}
	if size := messageSize(body, attributes); size > maxMessageBytes {
		return invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", maxMessageBytes)
	}
	if delaySeconds < 0 || delaySeconds > maxDelaySeconds {
		return invalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and %d, if provided.", delaySeconds, maxDelaySeconds)
	}
	if len(attributes) > maxMessageAttributes {
		return invalidParameter("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attributes), maxMessageAttributes)
	}
	for name, a := range attributes {
		kind, _, _ := strings.Cut(a.DataType, ".")
		switch {
		case !validAttributeName(name):
			return invalidParameter("Message (user) attribute name %q is invalid.", name)
		case kind != "String" && kind != "Number" && kind != "Binary":
			return invalidParameter("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		case kind == "Binary" && len(a.BinaryValue) == 0, kind != "Binary" && a.StringValue == "":
			return invalidParameter("Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, kind)
		}
	}
	return nil
}

// messageSize is what counts against maxMessageBytes: the body, and each
// attribute's name, type and value.
func messageSize(body string, attributes map[string]MessageAttribute) int {
	n := len(body)
	for name, a := range attributes {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// validMessageText reports whether s holds only the characters SQS
// accepts in a message: #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD
// and #x10000 to #x10FFFF.
func validMessageText(s string) bool {
	for _, c := range s {
		switch {
		case c == utf8.RuneError:
			return false
		case c == 0x9, c == 0xA, c == 0xD,
			0x20 <= c && c <= 0xD7FF,
			0xE000 <= c && c <= 0xFFFD,
			0x10000 <= c && c <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// validName reports whether s is 1 to maxLen letters, digits, '-' or
// '_': SQS's rule for queue names and batch entry ids.
func validName(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validAttributeName is SQS's rule for message attribute names: up to 256
// letters, digits, '-', '_' and '.', with no leading, trailing or double
// period, and no AWS or Amazon prefix.
func validAttributeName(s string) bool {
	if s == "" || len(s) > 256 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return false
	}
	return validName(strings.ReplaceAll(s, ".", "_"), 256)
}

// attributesMD5 is the digest SQS returns as MD5OfMessageAttributes: over
// the attributes sorted by name, each as its name, type, transport type
// (1 for strings and numbers, 2 for binary) and value, every length
// given first as a 4-byte big-endian integer. It is "" for no attributes.
func attributesMD5(attributes map[string]MessageAttribute) string {
	if len(attributes) == 0 {
		return ""
	}
	h := md5.New()
	for _, name := range slices.Sorted(maps.Keys(attributes)) {
		a := attributes[name]
		writeLengthPrefixed(h, []byte(name))
		writeLengthPrefixed(h, []byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			writeLengthPrefixed(h, a.BinaryValue)
		} else {
			h.Write([]byte{1})
			writeLengthPrefixed(h, []byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeLengthPrefixed(h hash.Hash, b []byte) {
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
	h.Write(b)
}

type receiveMessageInput struct {
	QueueUrl                    string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
}

type receiveMessageOutput struct {
	Messages []receivedMessage `json:",omitempty"`
}

type receivedMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string           `json:",omitempty"`
	MD5OfMessageAttributes string                      `json:",omitempty"`
	MessageAttributes      map[string]MessageAttribute `json:",omitempty"`
}

func (s *SQS) receiveMessage(r *http.Request, body []byte) (any, error) {
	var in receiveMessageInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	limit, err := intParameter("MaxNumberOfMessages", in.MaxNumberOfMessages, 1, 1, maxReceiveMessages)
	if err != nil {
		return nil, err
	}
	wait, err := intParameter("WaitTimeSeconds", in.WaitTimeSeconds, 0, 0, maxWaitSeconds)
	if err != nil {
		return nil, err
	}
	visibility, err := intParameter("VisibilityTimeout", in.VisibilityTimeout, -1, 0, maxVisibilitySeconds)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	for {
		s.mu.Lock()
		q, err := s.lookup(in.QueueUrl)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		timeout := q.visibility
		if visibility >= 0 {
			timeout = time.Duration(visibility) * time.Second
		}
		got, next := s.receive(q, limit, timeout)
		out := receiveMessageOutput{Messages: make([]receivedMessage, len(got))}
		for i, m := range got {
			out.Messages[i] = received(m, in)
		}
		changed := s.changed
		s.mu.Unlock()

		now := time.Now()
		if len(got) > 0 || !now.Before(deadline) {
			return out, nil
		}
		// Sleep until a message is sent, one becomes visible, or the poll
		// ends.
		wake := deadline
		if !next.IsZero() && next.Before(wake) {
			wake = next
		}
		timer := time.NewTimer(wake.Sub(now))
		select {
		case <-changed:
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return receiveMessageOutput{}, nil
		}
		timer.Stop()
	}
}

// intParameter checks an optional integer parameter: def if absent, else
// between lo and hi.
func intParameter(name string, v *int, def, lo, hi int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < lo || *v > hi {
		return 0, invalidParameter("Value %d for parameter %s is invalid. Reason: Must be between %d and %d, if provided.", *v, name, lo, hi)
	}
	return *v, nil
}

// receive takes up to limit visible messages from q, oldest first, and
// hides them for timeout; next is when the first hidden message left
// becomes visible, zero if none. Messages received too often move to the
// dead-letter queue instead. s.mu is held.
func (s *SQS) receive(q *queue, limit int, timeout time.Duration) (got []*message, next time.Time) {
	now := time.Now()
	kept := q.messages[:0]
	for _, m := range q.messages {
		switch {
		case now.Before(m.visibleAt):
			if next.IsZero() || m.visibleAt.Before(next) {
				next = m.visibleAt
			}
		case len(got) == limit:
		case q.redrive != nil && m.receiveCount >= q.redrive.maxReceiveCount:
			s.moveToDLQ(m, q.redrive.dlq)
			continue
		default:
			m.receiveCount++
			if m.firstReceive.IsZero() {
				m.firstReceive = now
			}
			m.visibleAt = now.Add(timeout)
			m.receipt = newReceiptHandle()
			q.receipts[m.receipt] = m
			got = append(got, m)
		}
		kept = append(kept, m)
	}
	clear(q.messages[len(kept):])
	q.messages = kept
	return got, next
}

// moveToDLQ queues a copy of m on dlq and retires m, whose receipt
// handles then delete nothing. s.mu is held.
func (s *SQS) moveToDLQ(m *message, dlq *queue) {
	m.gone = true
	dlq.messages = append(dlq.messages, &message{
		id:         m.id,
		body:       m.body,
		bodyMD5:    m.bodyMD5,
		attributes: m.attributes,
		sent:       m.sent,
		visibleAt:  time.Now(),
	})
	s.notify()
}

// received is m as a receive returns it, with the attributes in asked for.
func received(m *message, in receiveMessageInput) receivedMessage {
	out := receivedMessage{
		MessageId:     m.id,
		ReceiptHandle: m.receipt,
		MD5OfBody:     m.bodyMD5,
		Body:          m.body,
	}
	system := map[string]string{
		string(types.MessageSystemAttributeNameApproximateReceiveCount):          strconv.Itoa(m.receiveCount),
		string(types.MessageSystemAttributeNameSentTimestamp):                    epochMillis(m.sent),
		string(types.MessageSystemAttributeNameApproximateFirstReceiveTimestamp): epochMillis(m.firstReceive),
	}
	for _, name := range slices.Concat(in.AttributeNames, in.MessageSystemAttributeNames) {
		for key, value := range system {
			if name == "All" || name == key {
				if out.Attributes == nil {
					out.Attributes = make(map[string]string)
				}
				out.Attributes[key] = value
			}
		}
	}
	for name, a := range m.attributes {
		if attributeWanted(name, in.MessageAttributeNames) {
			if out.MessageAttributes == nil {
				out.MessageAttributes = make(map[string]MessageAttribute)
			}
			out.MessageAttributes[name] = a
		}
	}
	out.MD5OfMessageAttributes = attributesMD5(out.MessageAttributes)
	return out
}

// attributeWanted reports whether a receive's MessageAttributeNames ask
// for the attribute: by name, by "prefix.*", or all of them by "All" or
// ".*".
func attributeWanted(name string, wanted []string) bool {
	for _, w := range wanted {
		if w == "All" || w == ".*" || w == name {
			return true
		}
		if prefix, ok := strings.CutSuffix(w, ".*"); ok && strings.HasPrefix(name, prefix+".") {
			return true
		}
	}
	return false
}

func epochMillis(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func newReceiptHandle() string {
	var b [64]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

type deleteMessageInput struct {
	QueueUrl      string
	ReceiptHandle string
}

// deleteMessage deletes the message the handle was given for. As in SQS,
// a handle of a message already deleted succeeds, and so does an
// outdated one (given before the message's latest receive), without
// deleting it: only the latest receiver may delete.
func (s *SQS) deleteMessage(r *http.Request, body []byte) (any, error) {
	var in deleteMessageInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	m, ok := q.receipts[in.ReceiptHandle]
	if !ok {
		return nil, sqsError("ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", in.ReceiptHandle)
	}
	if m.gone || m.receipt != in.ReceiptHandle {
		return struct{}{}, nil
	}
	m.gone = true
	q.messages = slices.DeleteFunc(q.messages, func(x *message) bool { return x == m })
	return struct{}{}, nil
}

type getQueueURLInput struct {
	QueueName string
}

type getQueueURLOutput struct {
	QueueUrl string
}

func (s *SQS) getQueueURL(r *http.Request, body []byte) (any, error) {
	var in getQueueURLInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok {
		return nil, sqsError("QueueDoesNotExist", "The specified queue does not exist.")
	}
	return getQueueURLOutput{QueueUrl: s.queueURL(in.QueueName)}, nil
}

type getQueueAttributesInput struct {
	QueueUrl       string
	AttributeNames []string
}

type getQueueAttributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

// getQueueAttributes answers the attributes asked for that this server
// keeps; SQS's other attribute names are accepted and left out, as SQS
// leaves out those a queue has not set.
func (s *SQS) getQueueAttributes(r *http.Request, body []byte) (any, error) {
	var in getQueueAttributesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	known := types.QueueAttributeName("").Values()
	for _, name := range in.AttributeNames {
		if !slices.Contains(known, types.QueueAttributeName(name)) {
			return nil, sqsError("InvalidAttributeName", "Unknown Attribute %s.", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var visible, inFlight, delayed int
	for _, m := range q.messages {
		switch {
		case !now.Before(m.visibleAt):
			visible++
		case m.receiveCount > 0:
			inFlight++
		default:
			delayed++
		}
	}
	all := map[types.QueueAttributeName]string{
		types.QueueAttributeNameApproximateNumberOfMessages:           strconv.Itoa(visible),
		types.QueueAttributeNameApproximateNumberOfMessagesNotVisible: strconv.Itoa(inFlight),
		types.QueueAttributeNameApproximateNumberOfMessagesDelayed:    strconv.Itoa(delayed),
		types.QueueAttributeNameVisibilityTimeout:                     strconv.Itoa(int(math.Ceil(q.visibility.Seconds()))),
		types.QueueAttributeNameMaximumMessageSize:                    strconv.Itoa(maxMessageBytes),
		types.QueueAttributeNameCreatedTimestamp:                      strconv.FormatInt(q.created.Unix(), 10),
		types.QueueAttributeNameQueueArn:                              s.queueArn(r, q),
	}
	if q.redrive != nil {
		policy, _ := json.Marshal(struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     int    `json:"maxReceiveCount"`
		}{s.queueArn(r, q.redrive.dlq), q.redrive.maxReceiveCount})
		all[types.QueueAttributeNameRedrivePolicy] = string(policy)
	}
	out := getQueueAttributesOutput{}
	for _, name := range in.AttributeNames {
		for key, value := range all {
			if name == "All" || name == string(key) {
				if out.Attributes == nil {
					out.Attributes = make(map[string]string)
				}
				out.Attributes[string(key)] = value
			}
		}
	}
	return out, nil
}
