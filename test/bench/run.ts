/**
 * `npm run bench`: runs each benchmark module in turn; each prints its own figures. Benchmarks are scripts, not
 * tests (STYLE.md 11). Add a module to the list to add a benchmark.
 */
const benches: { name: string; load: () => Promise<{ run: () => Promise<void> }> }[] = [
  { name: 'list-engine', load: () => import('./list-engine.js') },
  { name: 'consent-pass', load: () => import('./consent-pass.js') },
  { name: 'verify', load: () => import('./verify-process.js') },
  { name: 'bundles', load: () => import('./bundles.js') },
  { name: 'ocr', load: () => import('./ocr.js') },
  { name: 'trace', load: () => import('./trace.js') },
];

const only = process.argv[2];
for (const bench of benches) {
  if (only !== undefined && bench.name !== only) continue;
  console.log(`\n== ${bench.name}`);
  const module = await bench.load();
  await module.run();
}
