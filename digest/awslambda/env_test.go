package awslambda

import (
	"reflect"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	full := map[string]string{
		"CONTENT_BUCKET": "news", "LEDGER_TABLE": "ledger", "FROM_ADDRESS": "Daily <d@news.example>",
		"LIST_ID": "daily.news.example", "PRODUCT_NAME": "Daily", "ARCHIVE_URL": "https://news.example/archive",
		"UNSUBSCRIBE_URL": "https://u.example/", "UNSUBSCRIBE_KEY_PARAMETER": "/newsdigest/key",
		"SES_MAX_SEND_RATE": "14", "SEND_CONCURRENCY": "2",
	}
	without := func(drop ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for _, d := range drop {
			delete(m, d)
		}
		return m
	}
	with := func(k, v string) map[string]string { m := without(); m[k] = v; return m }
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
	}{
		{"complete, the optional one unset", full, nil},
		{"every missing one named at once", without("CONTENT_BUCKET", "LIST_ID", "SEND_CONCURRENCY"),
			[]string{"missing environment variables: CONTENT_BUCKET, LIST_ID, SEND_CONCURRENCY"}},
		{"blank counts as missing", with("LIST_ID", "  "), []string{"missing environment variables: LIST_ID"}},
		{"malformed and missing together", func() map[string]string { m := without("CONTENT_BUCKET"); m["SES_MAX_SEND_RATE"] = "fast"; return m }(),
			[]string{"missing environment variables: CONTENT_BUCKET", `SES_MAX_SEND_RATE="fast": want a number above 0`}},
		{"zero concurrency", with("SEND_CONCURRENCY", "0"), []string{`SEND_CONCURRENCY="0": want a whole number above 0`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg SendConfig
			err := fromLookup(&cfg, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.SESRate != 14 || cfg.Concurrency != 2 || cfg.From != full["FROM_ADDRESS"] || cfg.ConfigurationSet != "" {
					t.Errorf("config %+v", cfg)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestFromEnvLists(t *testing.T) {
	var cfg PreviewConfig
	env := map[string]string{"EDITOR_ADDRESSES": " desk@news.example, ,chief@news.example "}
	err := fromLookup(&cfg, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err == nil || !strings.Contains(err.Error(), "CONTENT_BUCKET") {
		t.Errorf("error %v, want the missing variables", err)
	}
	if got, want := cfg.Editors, []string{"desk@news.example", "chief@news.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("editors %q, want %q", got, want)
	}
}

func TestFromEnvFillsTheEmbeddedEditionConfig(t *testing.T) {
	env := map[string]string{"CONTENT_BUCKET": "news", "MAX_DAY_MB": "200", "SEND_QUEUE_URL": "http://q"}
	var cfg DigestConfig
	err := fromLookup(&cfg, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err == nil || !strings.Contains(err.Error(), "TIME_ZONE") || !strings.Contains(err.Error(), "LEDGER_TABLE") {
		t.Errorf("error %v, want the missing variables of both the edition's and the function's own", err)
	}
	if cfg.Bucket != "news" || cfg.MaxDayMB != 200 || cfg.QueueURL != "http://q" {
		t.Errorf("config %+v, want the bucket, the day's budget and the queue filled", cfg)
	}
}

func TestEnvVars(t *testing.T) {
	tests := []struct {
		name   string
		config any
		want   []string
	}{
		{"flat", UnsubscribeConfig{}, []string{"SUBSCRIBERS_TABLE", "LIST_ID", "PRODUCT_NAME", "UNSUBSCRIBE_KEY_PARAMETER"}},
		{"embedding the edition's", DigestConfig{}, []string{"CONTENT_BUCKET", "TIME_ZONE", "MAX_STORIES", "PRODUCT_NAME", "SITE_URL",
			"POSTAL_ADDRESS", "ARCHIVE_URL", "MAX_DAY_MB", "SUBSCRIBERS_TABLE", "LEDGER_TABLE", "SEND_QUEUE_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EnvVars(tt.config); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
