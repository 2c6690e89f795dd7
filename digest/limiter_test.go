package digest

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	tests := []struct {
		name                    string
		rate                    float64
		throttles, eases        int
		wantAtMost, wantAtLeast time.Duration
	}{
		{"starts at its rate", 50, 0, 0, 20 * time.Millisecond, 20 * time.Millisecond},
		{"never eases past its rate", 50, 0, 1000, 20 * time.Millisecond, 20 * time.Millisecond},
		{"slows by a fifth a throttle", 100, 1, 0, 12500 * time.Microsecond, 12500 * time.Microsecond},
		{"slows to an eighth of its rate at most", 100, 100, 0, 80 * time.Millisecond, 80 * time.Millisecond},
		{"comes back after throttles", 100, 100, 1000, 10100 * time.Microsecond, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.rate)
			for range tt.throttles {
				l.throttled()
			}
			for range tt.eases {
				l.eased()
			}
			if got := l.interval; got > tt.wantAtMost || got < tt.wantAtLeast {
				t.Errorf("interval %s, want between %s and %s", got, tt.wantAtLeast, tt.wantAtMost)
			}
		})
	}
}
