// pause holds a pod's namespaces open while its containers come and go, as Kubernetes' own pause
// image does (build/pause/linux/pause.c), and, being PID 1 of its namespace, reaps the orphans
// that are reparented to it. It exits on SIGINT or SIGTERM. The test harness also runs it as the
// first process of the node's PID namespace, so killing it ends every process of the node.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

// reap collects every exited child: one SIGCHLD may stand for several exits.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
