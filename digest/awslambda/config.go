// Package awslambda runs newsdigest on AWS Lambda: the five functions'
// configurations and handlers. A handler decodes its event, calls the
// digest package and maps the result back to the event's answer; the
// functions' main packages only read the configuration, build the clients
// and start the handler.
package awslambda

// Each function reads its configuration from the environment into one of
// these structs (FromEnv): the env tag names the variable; ",optional" marks
// one that may be unset. template.yaml sets every variable, and a test
// holds it to that.

// EditionConfig is what the digest and preview functions share about
// making an edition; each embeds it.
type EditionConfig struct {
	Bucket        string `env:"CONTENT_BUCKET"`
	TimeZone      string `env:"TIME_ZONE"`
	MaxStories    int    `env:"MAX_STORIES"`
	ProductName   string `env:"PRODUCT_NAME"`
	SiteURL       string `env:"SITE_URL"`
	PostalAddress string `env:"POSTAL_ADDRESS"`
	ArchiveURL    string `env:"ARCHIVE_URL"`
	// MaxDayMB caps the listed size of a day's articles in MB: the
	// largest files of a day over it are left out and reported, so that a
	// flood of files cannot take the function past its memory.
	MaxDayMB int `env:"MAX_DAY_MB"`
}

// DigestConfig configures the scheduled function that builds the day's
// edition, publishes it and queues the list.
type DigestConfig struct {
	EditionConfig
	SubscribersTable string `env:"SUBSCRIBERS_TABLE"`
	LedgerTable      string `env:"LEDGER_TABLE"`
	QueueURL         string `env:"SEND_QUEUE_URL"`
}

// SendConfig configures the function that sends queued batches.
type SendConfig struct {
	Bucket           string `env:"CONTENT_BUCKET"`
	LedgerTable      string `env:"LEDGER_TABLE"`
	From             string `env:"FROM_ADDRESS"`
	ListID           string `env:"LIST_ID"`
	ProductName      string `env:"PRODUCT_NAME"`
	ArchiveURL       string `env:"ARCHIVE_URL"`
	UnsubscribeURL   string `env:"UNSUBSCRIBE_URL"`
	KeyParameter     string `env:"UNSUBSCRIBE_KEY_PARAMETER"`
	ConfigurationSet string `env:"SES_CONFIGURATION_SET,optional"`
	// SESRate is the account's sending rate; each of the Concurrency send
	// functions that may run at once takes its share.
	SESRate     float64 `env:"SES_MAX_SEND_RATE"`
	Concurrency int     `env:"SEND_CONCURRENCY"`
}

// PreviewConfig configures the editors' preview function.
type PreviewConfig struct {
	EditionConfig
	From             string   `env:"FROM_ADDRESS"`
	ListID           string   `env:"LIST_ID"`
	UnsubscribeURL   string   `env:"UNSUBSCRIBE_URL"`
	KeyParameter     string   `env:"UNSUBSCRIBE_KEY_PARAMETER"`
	ConfigurationSet string   `env:"SES_CONFIGURATION_SET,optional"`
	Editors          []string `env:"EDITOR_ADDRESSES"`
}

// UnsubscribeConfig configures the one-click unsubscribe function.
type UnsubscribeConfig struct {
	SubscribersTable string `env:"SUBSCRIBERS_TABLE"`
	ListID           string `env:"LIST_ID"`
	ProductName      string `env:"PRODUCT_NAME"`
	KeyParameter     string `env:"UNSUBSCRIBE_KEY_PARAMETER"`
}

// FeedbackConfig configures the function that acts on SES bounces and
// complaints.
type FeedbackConfig struct {
	SubscribersTable string `env:"SUBSCRIBERS_TABLE"`
}
