import { monitorEventLoopDelay } from 'node:perf_hooks';
import './serve-file.js';

// The server of serve-file.ts, plus a watch on its own event loop for the import benchmark: the parent
// asks over IPC ('reset', then 'read') for the longest delay a 10 ms timer saw in between, which is the
// longest time the server could not answer anyone.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
process.on('message', (m) => {
  if (m === 'reset') loop.reset();
  if (m === 'read') process.send?.({ maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6 });
});
