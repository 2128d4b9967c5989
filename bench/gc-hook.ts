// Preloaded into the proxy by the memory benchmark (`node --expose-gc --import bench/gc-hook.ts`):
// SIGUSR2 runs a full garbage collection, so the benchmark can tell memory that is held (a leak)
// from garbage V8 has not collected yet. The proxy's own code is untouched.
import process from 'node:process';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc !== undefined) {
  process.on('SIGUSR2', () => {
    gc();
    gc();
  });
}
