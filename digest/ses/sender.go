// Package ses sends mail through the Amazon SES v2 API, the production
// sender: SendEmail with the message as raw content, so that every header
// the digest writes (List-Unsubscribe, List-Unsubscribe-Post, List-Id,
// Message-ID) reaches the reader as written.
package ses

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/newsdigest/newsdigest/digest"
)

var _ digest.Sender = (*Sender)(nil)

// API is the part of the SES v2 client the sender uses.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
	GetAccount(ctx context.Context, in *sesv2.GetAccountInput, optFns ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
}

// Config says how to send.
type Config struct {
	// ConfigurationSet, optional, names the SES configuration set whose
	// event destinations receive the sends' bounces and complaints.
	ConfigurationSet string
}

// Sender sends each message with one SendEmail call. It keeps no state
// between sends, so one Sender serves any number of goroutines.
type Sender struct {
	cfg    Config
	client API
	logger *slog.Logger
}

// New checks the configuration and returns a Sender. The client's own
// retries should be off (aws.NopRetryer): the delivery retries throttled
// sends itself, under the account's rate, and must see each one.
func New(cfg Config, client API, logger *slog.Logger) (*Sender, error) {
	if client == nil {
		return nil, errors.New("ses config: no client")
	}
	// SES's rule for configuration set names is its rule for tags, 64
	// characters at most.
	if cfg.ConfigurationSet != "" && (len(cfg.ConfigurationSet) > 64 || !isTagText(cfg.ConfigurationSet)) {
		return nil, fmt.Errorf("ses config: configuration set %q: want up to 64 ASCII letters, digits, '-' or '_'", cfg.ConfigurationSet)
	}
	return &Sender{cfg: cfg, client: client, logger: logger}, nil
}

// Send encodes the message and sends it to its one recipient, and returns
// the id SES gave it. A message that fails validation, its tags included,
// is refused before any call; its error wraps digest.ErrInvalidMail. The
// other errors wrap digest.ErrThrottled, ErrRejected or ErrQuotaExhausted
// when SES said so, and the SDK's error in every case.
func (s *Sender) Send(ctx context.Context, m digest.Mail) (string, error) {
	// Set here, not left to MIME, so that the message keeps one id
	// whatever SES does with it.
	if m.MessageID == "" {
		m.MessageID = digest.NewMessageID(m.From.Email)
	}
	raw, err := m.MIME()
	if err != nil {
		return "", fmt.Errorf("ses send to %s: %w", m.To.Email, err)
	}
	tags, err := messageTags(m.Tags)
	if err != nil {
		return "", fmt.Errorf("ses send to %s: %w", m.To.Email, err)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From.Email),
		Destination:      &types.Destination{ToAddresses: []string{m.To.Email}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
		EmailTags:        tags,
	}
	if s.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.cfg.ConfigurationSet)
	}
	start := time.Now()
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		return "", classify(fmt.Sprintf("ses send to %s", m.To.Email), err)
	}
	id := aws.ToString(out.MessageId)
	if id == "" {
		id = m.MessageID
	}
	s.logger.DebugContext(ctx, "mail sent", "to", m.To.Email, "ses_id", id, "message_id", m.MessageID, "bytes", len(raw), "duration", time.Since(start))
	return id, nil
}

// Account reads the account's sending quota: the rate a run must stay
// under, the messages allowed in 24 hours and those already sent in them.
func (s *Sender) Account(ctx context.Context) (maxSendRate, max24Hour, sentLast24Hours float64, err error) {
	out, err := s.client.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return 0, 0, 0, classify("ses get account", err)
	}
	q := out.SendQuota
	if q == nil {
		return 0, 0, 0, errors.New("ses get account: the answer holds no SendQuota")
	}
	return q.MaxSendRate, q.Max24HourSend, q.SentLast24Hours, nil
}

// classify wraps err with op and with the digest error it stands for, if
// any; anything else is taken as passing.
func classify(op string, err error) error {
	if sentinel := sentinelFor(err); sentinel != nil {
		return fmt.Errorf("%s: %w: %w", op, sentinel, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func sentinelFor(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		msg := strings.ToLower(apiErr.ErrorMessage())
		// SES names a spent daily quota differently by API and document
		// (Throttling, ThrottlingException, LimitExceededException); only
		// the message tells it from the rate limit, so it comes first.
		if strings.Contains(msg, "daily message quota") {
			return digest.ErrQuotaExhausted
		}
		switch apiErr.(type) {
		case *types.SendingPausedException, *types.AccountSuspendedException:
			return digest.ErrQuotaExhausted
		case *types.TooManyRequestsException:
			return digest.ErrThrottled
		case *types.MessageRejected, *types.MailFromDomainNotVerifiedException:
			return digest.ErrRejected
		case *types.BadRequestException:
			// SES names an address it cannot parse ("Illegal address",
			// "Invalid email address", "Missing final '@domain'"); any other
			// bad request is a fault of ours, not of the message.
			if strings.Contains(msg, "address") || strings.Contains(msg, "domain") {
				return digest.ErrRejected
			}
		}
		// The common throttling errors are outside SES v2's model: they
		// arrive as a smithy.GenericAPIError with the code alone.
		switch apiErr.ErrorCode() {
		case "Throttling", "ThrottlingException":
			return digest.ErrThrottled
		}
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusTooManyRequests {
		return digest.ErrThrottled
	}
	return nil
}

// messageTags turns the mail's tags into SES message tags, sorted by name
// so that the same message always makes the same call. SES refuses the
// whole send for a tag outside its rules, so it is checked here.
func messageTags(tags map[string]string) ([]types.MessageTag, error) {
	var out []types.MessageTag
	for _, name := range slices.Sorted(maps.Keys(tags)) {
		value := tags[name]
		for _, s := range []string{name, value} {
			if len(s) > 256 || !isTagText(s) {
				return nil, fmt.Errorf("%w: tag %q=%q: SES tags are 1 to 256 ASCII letters, digits, '-' or '_'", digest.ErrInvalidMail, name, value)
			}
		}
		out = append(out, types.MessageTag{Name: aws.String(name), Value: aws.String(value)})
	}
	return out, nil
}

// isTagText reports whether s is SES's tag text: ASCII letters, digits,
// '-' and '_', at least one.
func isTagText(s string) bool {
	if s == "" {
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
