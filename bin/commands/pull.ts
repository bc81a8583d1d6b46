import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { apiClient, downloadTo } from '../api-client.js';
import { parseFlags } from '../cli-support.js';
import { terminalSafe } from '../terminal-text.js';

const help = `filiera pull [--intake ID] [--out DIR] [--url URL] [--token TOKEN]

Without --intake: lists the releases addressed to your call center.
With --intake: downloads the cleaned list and its provenance receipt into DIR (default .) as <intake>.csv and
<intake>.receipt.json, and checks the list's SHA-256 against the receipt. Exit status 3 if they differ.`;

interface ReleaseLinks {
  downloadUrl: string;
  receiptUrl: string;
  releaseExpiresAt: string;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    intake: { type: 'string' },
    out: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const api = apiClient(flags);
  if (!flags.intake) {
    const page = await api.json<{ items: { intakeId: string; tenant: string; campaign: string; releasedAt: string; expiresAt: string; releasedRows?: number; expired: boolean }[] }>('GET', '/v1/releases?limit=100');
    if (!page.items.length) process.stdout.write('No releases.\n');
    for (const r of page.items) {
      process.stdout.write(`${r.intakeId}  ${r.expired ? 'EXPIRED ' : 'ready   '} ${String(r.releasedRows ?? '?').padStart(8)} rows  released ${r.releasedAt}  until ${r.expiresAt}  ${r.tenant}: ${r.campaign}\n`);
    }
    return 0;
  }
  const links = await api.json<ReleaseLinks>('GET', `/v1/releases/${encodeURIComponent(flags.intake)}`);
  const dir = flags.out ?? '.';
  await mkdir(dir, { recursive: true });
  const listFile = path.join(dir, `${flags.intake}.csv`);
  const receiptFile = path.join(dir, `${flags.intake}.receipt.json`);
  const list = await downloadTo(links.downloadUrl, listFile, 'list');
  await downloadTo(links.receiptUrl, receiptFile, 'receipt');
  const receipt = JSON.parse(await readFile(receiptFile, 'utf8')) as { released?: { sha256: string; rows: number } | null };
  const expected = typeof receipt.released?.sha256 === 'string' ? terminalSafe(receipt.released.sha256) : undefined;
  if (!expected || expected !== list.sha256) {
    process.stderr.write(`filiera: ${listFile} does not match its receipt (SHA-256 ${list.sha256}, receipt says ${expected ?? 'nothing'}): do not use it\n`);
    return 3;
  }
  process.stdout.write(
    `Downloaded ${listFile} (${Number(receipt.released?.rows)} rows, SHA-256 ${list.sha256}, matches the receipt) and ${receiptFile}.\nDial it only until ${links.releaseExpiresAt}: then the RPO check it rests on is too old.\n`,
  );
  return 0;
}
