/**
 * One measurement in a fresh process, so its peak RSS is its own (list-engine.ts runs it bundled, by plain node):
 *   node --import tsx test/bench/list-worker.ts <engine|parallel|string-engine|floor|newcomer> <list.csv> <rpo.txt>
 * `engine` is processContactList (the byte engine, told the file's length); `parallel` the byte engine with its rows
 * read by worker threads (shared/list/parallel-engine.ts); `string-engine` the string engine the byte engine
 * replaced, kept as its reference (shared/list/engine.ts).
 * Prints one JSON line: rows, seconds (wall), cpuSeconds, bytes, maxRssBytes and, for the engine, its dedupe state.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

import { parse } from 'csv-parse';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import * as z from 'zod';

import { runContactList } from '../../shared/list/engine.js';
import { loadRpoRegister, processContactList } from '../../shared/list/index.js';
import { runParallelContactList } from '../../shared/list/parallel-engine.js';
import { phoneReader } from '../../shared/list/phone-bytes.js';
import { isCallable, normalizePhone } from '../../shared/list/phone.js';
import { BENCH_PERIOD } from './list-data.js';

const [mode, listPath, rpoPath] = process.argv.slice(2);
if (!mode || !listPath || !rpoPath) throw new Error('usage: list-worker <engine|parallel|string-engine|floor|newcomer> <list> <rpo>');
const CHUNK = 1 << 20;
const bytes = statSync(listPath).size;

async function engine(kind: 'bytes' | 'parallel' | 'string') {
  const rpo = await loadRpoRegister(createReadStream(rpoPath!));
  let outputBytes = 0;
  const source = createReadStream(listPath!, { highWaterMark: CHUNK });
  const options = {
    maxBytes: 1024 ** 3,
    expectedBytes: bytes,
    consentPeriod: BENCH_PERIOD,
    rpo,
    output: (chunk: Uint8Array) => {
      outputBytes += chunk.byteLength;
    },
  };
  const report =
    kind === 'string'
      ? await runContactList(source, options, normalizePhone, isCallable)
      : kind === 'parallel'
        ? await runParallelContactList(source, options, phoneReader)
        : await processContactList(source, options);
  if (!report.readable) throw new Error(JSON.stringify(report.unreadable));
  return { rows: report.dataRows, released: report.releasedRows, excluded: report.excluded, dedupeStateBytes: report.dedupeStateBytes, outputBytes };
}

async function floor() {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(listPath!, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  hash.digest('hex');
  return { rows: 0 };
}

/** What a newcomer writes first: csv-parse objects, a zod schema per row, libphonenumber-js, a Set<string>. */
async function newcomer() {
  const Row = z.looseObject({
    telefono: z.string(),
    data_consenso: z.string().optional(),
    nome: z.string().optional(),
    cognome: z.string().optional(),
    email: z.string().optional(),
  });
  const rpo = new Map<string, string | null>();
  for await (const line of (await import('node:readline')).createInterface({ input: createReadStream(rpoPath!) })) {
    const [num, date] = line.split(';');
    const p = parsePhoneNumberFromString(num ?? '', 'IT');
    if (p?.isValid()) rpo.set(p.number, date ? toIso(date) : null);
  }
  const seen = new Set<string>();
  let rows = 0;
  let released = 0;
  let outputBytes = 0;
  const parser = createReadStream(listPath!, { highWaterMark: CHUNK }).pipe(
    parse({ columns: true, delimiter: ';', bom: true, relax_column_count: true }),
  );
  for await (const record of parser) {
    rows++;
    const row = Row.parse(record);
    const phone = parsePhoneNumberFromString(row.telefono, 'IT');
    if (!phone?.isValid()) continue;
    if (seen.has(phone.number)) continue;
    seen.add(phone.number);
    const consent = row.data_consenso ? toIso(row.data_consenso) : null;
    if (row.data_consenso && consent === null) continue;
    if (consent !== null && (consent < BENCH_PERIOD.from || consent > BENCH_PERIOD.to)) continue;
    if (rpo.has(phone.number)) {
      const opposed = rpo.get(phone.number);
      if (opposed == null || consent === null || consent <= opposed) continue;
    }
    released++;
    const cells = Object.values({ ...row, telefono: phone.number }).map((v) => {
      const s = String(v);
      const safe = /^[=+\-@\t\r]/.test(s) && s !== phone.number ? `'${s}` : s;
      return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    });
    outputBytes += Buffer.byteLength(cells.join(';') + '\r\n');
  }
  return { rows, released, outputBytes };
}

function toIso(text: string): string | null {
  const it = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim());
  if (it) {
    const d = new Date(Date.UTC(+it[3]!, +it[2]! - 1, +it[1]!));
    return d.getUTCDate() === +it[1]! ? d.toISOString().slice(0, 10) : null;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(text.trim());
  if (!iso) return null;
  const d = new Date(`${iso[0]}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso[0] ? null : iso[0];
}

const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const result =
  mode === 'engine'
    ? await engine('bytes')
    : mode === 'parallel'
      ? await engine('parallel')
      : mode === 'string-engine'
        ? await engine('string')
        : mode === 'floor'
          ? await floor()
          : await newcomer();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
// CPU time of the process (all its threads: the main thread, GC, hashing): the figure that survives a loaded machine.
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ mode, bytes, seconds, cpuSeconds, ...result, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
