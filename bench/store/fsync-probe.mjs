// Child process run under strace by fsync-trace.mjs: opens one store on a fresh copy of the
// template and makes `commits` single-message commits between two marker system calls
// (access() of paths that do not exist), so that only the commits' fsyncs are counted.
//
//   node fsync-probe.mjs <durable|reference> <template dir> <parent dir> <commits> <start marker> <end marker>
import { accessSync } from 'node:fs';
import { openFreshStore } from './stores.mjs';
import { sequentialCommits, warmUp } from './workloads.mjs';

function mark(marker) {
  try {
    accessSync(marker);
  } catch {
    // The path never exists: the system call itself is the mark.
  }
}

const [kind, template, parent, commits, startMarker, endMarker] = process.argv.slice(2);
const opened = await openFreshStore(kind, template, parent);
await warmUp(opened.store, 10);
mark(startMarker);
await sequentialCommits(opened.store, Number(commits));
mark(endMarker);
await opened.close();
