// The runtime floor of the memory benchmark: Node running a TypeScript file that does nothing,
// so type stripping is loaded as it is for the proxy. Prints one line, then idles until killed.
import process from 'node:process';

process.stdout.write('{"idle":true}\n');
setInterval(() => {}, 60_000);
