// The pause process: the sandbox image of the test cluster's pods and the first process of its
// node's PID namespace. No dependencies.
module switchyard.dev/tools/pause

go 1.24.0
