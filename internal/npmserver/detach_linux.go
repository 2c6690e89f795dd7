package npmserver

import (
	"os/exec"
	"syscall"
)

// detach puts the server in a process group of its own, so that a Ctrl-C
// in the terminal reaches only the Go process, which then stops the server
// itself: killed by the terminal first, the server would look as if it had
// died while in use. Since that Ctrl-C no longer reaches it, the server is
// killed when the Go process dies without stopping it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
