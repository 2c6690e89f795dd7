// Package procstat reads what the Linux kernel keeps of a process's use of
// the machine: processor time and peak memory, for the load harness and
// the emulator's functions.
package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Usage is a process's use of the machine so far.
type Usage struct {
	// CPU is processor time, user and system.
	CPU time.Duration
	// PeakRSS is the most memory it has held (VmHWM), in bytes.
	PeakRSS int64
}

// Read reads the process's usage from /proc.
func Read(pid int) (Usage, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return Usage{}, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th of them.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 13 {
		return Usage{}, fmt.Errorf("%s/stat: too few fields", dir)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return Usage{}, fmt.Errorf("%s/stat: %w", dir, err)
	}
	// Clock ticks of USER_HZ, which is 100 a second on Linux.
	u := Usage{CPU: time.Duration(utime+stime) * 10 * time.Millisecond}
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return Usage{}, err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return Usage{}, fmt.Errorf("%s/status: VmHWM: %w", dir, err)
			}
			u.PeakRSS = kb * 1024
		}
	}
	return u, nil
}

// Parent is the process's parent's id.
func Parent(pid int) (int, error) {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no PPid", pid)
}
