/** Realistic synthetic contact lists for the benchmark, streamed to disk (never held in memory). */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

// Deterministic (mulberry32, the differential tests' generator), so every run measures the same list.
import { prng } from '../fixtures/prng.js';

const FIRST = ['Mario', 'Anna', 'Luca', 'Giulia', 'Nicolò', 'Francesca', 'Giuseppe', 'Chiara', 'Zoë', 'Pietro'];
const LAST = ['Rossi', 'Bianchi', 'Esposito', 'Romano', 'Colombo', "Dell'Acqua", 'Ricci', 'Marino', 'Greco', 'Bruno'];
const SOURCES = ['web form', 'fiera', 'concorso', 'app', 'porta a porta'];

/** The i-th distinct Italian mobile number, 10 digits (a bijection of i onto 320..399 numbers). */
export function mobileNumber(i: number): string {
  return String(3200000000 + ((i * 48271) % 790000000));
}

function notation(national: string, r: number): string {
  if (r < 0.3) return national;
  if (r < 0.5) return `+39 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`;
  if (r < 0.6) return `0039${national}`;
  if (r < 0.75) return `${national.slice(0, 3)}-${national.slice(3, 6)}-${national.slice(6)}`;
  if (r < 0.85) return `+39${national}`;
  if (r < 0.9) return `${national.slice(0, 3)}.${national.slice(3)}`;
  // landlines, written the way people write them
  const landline = `02${national.slice(2)}`;
  if (r < 0.95) return `(02) ${landline.slice(2, 6)} ${landline.slice(6)}`;
  return `${landline.slice(0, 2)}.${landline.slice(2, 6)}.${landline.slice(6)}`;
}

function date(r: number): string {
  // consent dates over 2023-2024 (the attested period), about 1% outside it and 0.2% unreadable
  if (r < 0.002) return '31/02/2024';
  const year = r < 0.012 ? 2021 : r < 0.5 ? 2023 : 2024;
  const day = 1 + Math.floor(r * 10007) % 28;
  const month = 1 + Math.floor(r * 7919) % 12;
  return r < 0.7 ? `${day < 10 ? '0' : ''}${day}/${month < 10 ? '0' : ''}${month}/${year}` : `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

export const BENCH_PERIOD = { from: '2023-01-01', to: '2024-12-31' };

/** Writes a list of `rows` data rows (8 columns, mixed notations, ~2% duplicates, ~1% invalid, ~0.3% foreign). */
export async function writeList(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const random = prng(42);
  let buffer = 'nome;cognome;telefono;email;data_consenso;fonte_consenso;canale;note\r\n';
  for (let i = 0; i < rows; i++) {
    const r = random();
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i >> 3) % LAST.length]!;
    let phone: string;
    if (r < 0.01) phone = String(12345 + (i % 1000)); // invalid
    else if (r < 0.03 && i > 100) phone = notation(mobileNumber(i - 1 - Math.floor(r * 5000) % 100), random()); // duplicate
    else if (r < 0.033) phone = `+44 20 7946 ${String(i % 10000).padStart(4, '0')}`; // foreign
    else phone = notation(mobileNumber(i), random());
    const note = r > 0.97 ? '"chiamare dopo le 18; preferisce ""email"""' : r > 0.95 ? '=1+1' : '';
    buffer += `${first};${last};${phone};${first.toLowerCase()}.${i}@example.it;${date(random())};${SOURCES[i % 5]};tel;${note}\r\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
  return rows;
}

/** An RPO file: `count` numbers taken from the list (1 in 20 rows), half with an opposition date. */
export async function writeRpo(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  let buffer = '';
  for (let k = 0; k < count; k++) {
    const national = mobileNumber(k * 20);
    buffer += k % 2 === 0 ? `${national}\n` : `+39 ${national};${k % 4 === 1 ? '01/06/2024' : '2023-03-15'}\n`;
  }
  out.end(buffer);
  await once(out, 'finish');
}
