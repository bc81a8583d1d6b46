// Preloaded (node --import) into a measured process: at exit it writes the process's own peak RSS (getrusage's
// ru_maxrss, in bytes) to the file FILIERA_BENCH_REPORT names, so the bench measures the whole process from outside
// without a platform tool.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env['FILIERA_BENCH_REPORT'];
  if (file) writeFileSync(file, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
});
