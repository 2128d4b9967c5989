// Preloaded by the memory benchmark into the process it measures:
//   node --expose-gc --import bench/gc-hook.ts … with BENCH_GC_HOOK_OUT=FILE
// On SIGUSR2 it reads how many bytes V8 has allocated so far, runs a full garbage collection, and
// appends {"allocatedBytes","heapUsedAfterGc"} to FILE. The benchmark can then tell memory that is
// held (a leak) from garbage not yet collected, and count allocation per request, which drives GC
// pauses. The measured program's own code is untouched. It uses the global `process`: an ESM
// import of node:process runs its lazy getters (stdin among them) and adds RSS to the measurement.
import { appendFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;
const out = process.env['BENCH_GC_HOOK_OUT'];
if (gc !== undefined && out !== undefined) {
  process.on('SIGUSR2', () => {
    const allocatedBytes = (getHeapStatistics() as { total_allocated_bytes?: number })
      .total_allocated_bytes;
    gc();
    gc();
    const heapUsedAfterGc = getHeapStatistics().used_heap_size;
    appendFileSync(out, `${JSON.stringify({ allocatedBytes, heapUsedAfterGc })}\n`);
  });
}
