package procstat

import (
	"os"
	"testing"
	"time"
)

func TestReadSelf(t *testing.T) {
	// Spend a little processor time, so that there is some to read.
	deadline := time.Now().Add(50 * time.Millisecond)
	for n := 0; time.Now().Before(deadline); n++ {
		_ = n * n
	}
	u, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if u.CPU <= 0 || u.PeakRSS < 1<<20 {
		t.Errorf("usage %+v: want some processor time and at least a megabyte", u)
	}
	parent, err := Parent(os.Getpid())
	if err != nil || parent != os.Getppid() {
		t.Errorf("parent %d, %v; want %d", parent, err, os.Getppid())
	}
	if _, err := Read(-1); err == nil {
		t.Error("a process that does not exist was read")
	}
}
