// CoreDNS for the single-node test cluster, with only the plugins its Corefile uses. CoreDNS's
// own main compiles in every plugin of plugin.cfg (route53, azure, clouddns, etcd, …) and their
// cloud SDKs; selecting plugins at compile time is the way CoreDNS documents for a smaller build
// (coredns.io, "compile time enabling or disabling plugins").
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives is the order in which the plugins handle a query: the relative order of
// CoreDNS's plugin.cfg, restricted to the plugins compiled in.
var directives = []string{"ready", "health", "errors", "log", "cache", "kubernetes"}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
