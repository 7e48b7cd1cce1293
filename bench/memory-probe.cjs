// Preloaded into the servers bench/runtime.mjs measures (`node --expose-gc --require …`):
// on SIGUSR2 it runs a full garbage collection and prints process.memoryUsage() and the V8
// heap spaces' committed sizes on stderr, so idle-session memory is read after GC, heap
// included. Nothing else is touched.
'use strict';
const v8 = require('node:v8');

process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const spaces = {};
  for (const space of v8.getHeapSpaceStatistics()) spaces[space.space_name] = { committed: space.physical_space_size, used: space.space_used_size };
  process.stderr.write(`\nMEMPROBE ${JSON.stringify({ gc: typeof globalThis.gc === 'function', ...process.memoryUsage(), spaces })}\n`);
});
