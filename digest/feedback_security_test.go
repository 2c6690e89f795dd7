package digest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

// TestFeedbackErrorsDoNotQuoteTheNotification: a notification that cannot
// be read is refused (so that SNS delivers it again, then to the
// dead-letter queue) with an error that says what is wrong without
// quoting it: the error is printed to the function's log, and a
// notification may carry the original message's headers, the reader's
// unsubscribe link among them.
func TestFeedbackErrorsDoNotQuoteTheNotification(t *testing.T) {
	const link = "https://newsdigest.example/unsubscribe?a=Z29uZUBleGFtcGxlLmNvbQ&l=daily.newsdigest.example&t=BEG37c8pDeeFSQWbIWI6CPWHZwFCaGbBnB0PVsHR0XE"
	withHeaders := func(bounce map[string]any) string {
		data, err := json.Marshal(map[string]any{"eventType": "Bounce", "bounce": bounce,
			"mail": map[string]any{"headers": []map[string]string{{"name": "List-Unsubscribe", "value": "<" + link + ">"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	tests := []struct{ name, message, want string }{
		{"not JSON", "List-Unsubscribe: <" + link + ">", "invalid JSON"},
		{"cut short", withHeaders(map[string]any{"bounceType": "Permanent"})[:120], "invalid JSON"},
		{"a time that is a link", withHeaders(map[string]any{"bounceType": "Permanent", "timestamp": link,
			"bouncedRecipients": []map[string]string{{"emailAddress": "gone@example.com"}}}), "a time that cannot be read"},
		{"a recipient that is not an object", withHeaders(map[string]any{"bounceType": "Permanent",
			"bouncedRecipients": []string{link}}), "want"},
		{"a bounce type that is a number", `{"eventType":"Bounce","bounce":{"bounceType":7,"bouncedRecipients":[{"emailAddress":"` + link + `"}]}}`, "want string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := digest.NewFeedback(newMemSuppressor("gone@example.com"), secLogger()).Handle(context.Background(), []byte(tt.message))
			if err == nil {
				t.Fatal("the notification was taken")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			for _, secret := range []string{"BEG37c8pDeeFSQWbIWI6CPWHZwFCaGbBnB0PVsHR0XE", "unsubscribe?", "Z29uZUBleGFtcGxlLmNvbQ"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes the notification", err)
				}
			}
		})
	}
}
