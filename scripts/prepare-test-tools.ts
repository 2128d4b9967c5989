// Makes sure the real components used by the integration suites exist. Each step is idempotent
// and cached, so a warm machine does nothing here.
console.log('prepare-test-tools: nothing to prepare yet');
