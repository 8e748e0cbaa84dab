// Preloaded into the gateway by `bench/profile.mjs --alloc` (node --import): V8's sampling heap profiler,
// started on SIGUSR2 (after the warm-up) and written to HEAP_SAMPLE_FILE when the process exits.
// HEAP_SAMPLE_KEEP=all counts every sampled allocation (what the request path allocates);
// HEAP_SAMPLE_KEEP=live only those still on the heap at exit, garbage in the old generation included
// (what was kept long enough to be promoted).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.HEAP_SAMPLE_FILE;
const keepAll = process.env.HEAP_SAMPLE_KEEP !== 'live';
if (file) {
  const session = new Session();
  session.connect();
  let started = false;
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 8192,
      includeObjectsCollectedByMajorGC: keepAll,
      includeObjectsCollectedByMinorGC: keepAll,
    });
  });
  // A same-thread inspector session answers synchronously, so this works in an 'exit' handler.
  process.on('exit', () => {
    if (!started) return;
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (!err) writeFileSync(file, JSON.stringify(res.profile));
    });
  });
}
