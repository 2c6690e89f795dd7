//go:build !linux

package npmserver

import "os/exec"

// detach leaves the server in the Go process's process group where no
// signal kills it when the Go process dies: a Ctrl-C in the terminal
// stops both.
func detach(*exec.Cmd) {}
