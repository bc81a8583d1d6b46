import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { renderAttestationPdf } from '../shared/attestation/template.js';
import { loadConfig } from '../shared/config.js';
import { addDays, italianDate, romeDate } from '../shared/verdict/dates.js';
import { DEFAULT_DATA_DIR, DEMO_WEBHOOK, prepareLocalConfig } from '../infra/local/demo-setup.js';
import { startDemoReceiver, type DemoReceiver } from '../infra/local/demo-receiver.js';
import { demoUsers, openLocalIdentity } from '../infra/local/local-identity.js';
import { restrictUmask } from '../infra/local/private-files.js';
import { terminalSafe, terminalSafeDeep } from './terminal-text.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm run demo -- [--url URL] [--config FILE] [--data DIR]`, against a running `npm start`: three intakes of the
 * demo committente, one released, one rejected and one sent to review, and where each ended. The demo tenant samples
 * consents (docs/consent-sampling.md): an intake whose documents leave it approvable or in review waits for its sample's
 * evidence, which the demo answers as a committente would: it downloads the sample as CSV, fills in one documented
 * consent per row and uploads it through its link.
 * The signed attestation is a CAdES .p7m made with `openssl cms -sign -cades` and the demo signer's key, as a
 * smart-card signing tool would: the demo PKI of the data folder, made by `npm start` at its first start (the same
 * --config and --data as npm start; only the demo configuration trusts it).
 */
restrictUmask();
let flags: { url?: string; config?: string; data?: string };
try {
  flags = parseArgs({ options: { url: { type: 'string' }, config: { type: 'string' }, data: { type: 'string' } }, strict: true }).values;
} catch (err) {
  console.error(`filiera demo: ${(err as Error).message.split('\n')[0]}\nusage: npm run demo -- [--url URL] [--config FILE] [--data DIR]`);
  process.exit(2);
}
const baseUrl = flags.url ?? 'http://127.0.0.1:4510';
const dataDir = flags.data ?? DEFAULT_DATA_DIR;
const local = await prepareLocalConfig({ configFile: flags.config, dataDir });
if (!local.demoPki) {
  console.error('filiera demo: the sample intakes are signed with the demo PKI, which only the demo configuration (config/demo.json) trusts: run npm start and npm run demo without --config');
  process.exit(2);
}
const demoPki = local.demoPki;
const loaded = await loadConfig(local.configFile);
const identity = await openLocalIdentity(dataDir);
const users = demoUsers(loaded.config);
const tenant = loaded.config.tenants[0]!;
const callCenter = tenant.callCenters[0]!;
const committente = await identity.issue(users.find((u) => u.claims.role === 'committente')!.claims);
const work = await mkdtemp(path.join(tmpdir(), 'filiera-demo-'));

// docs/events.md: the demo configuration subscribes this receiver to the demo tenant's events.
const secret = loaded.webhookSecrets?.[DEMO_WEBHOOK.id];
let receiver: DemoReceiver | undefined;
if (secret) {
  receiver = await startDemoReceiver({
    port: DEMO_WEBHOOK.port,
    path: DEMO_WEBHOOK.path,
    secret,
    onDelivery: ({ check, eventId, event }) => {
      const what = event ? `${terminalSafe(String(event.type))} ${terminalSafe(String(event.subject))} status ${terminalSafe(String(event.data?.status))}` : 'an unreadable body';
      const signature = check.valid ? 'signature valid' : `REFUSED: ${check.reason}`;
      console.log(`  webhook received ${what} (event ${terminalSafe(String(eventId))}, ${signature})`);
    },
  }).catch((err: NodeJS.ErrnoException) => {
    console.warn(`filiera demo: the webhook receiver cannot listen on 127.0.0.1:${DEMO_WEBHOOK.port} (${err.code ?? err.message}); events are not shown`);
    return undefined;
  });
  if (receiver) console.log(`Webhook receiver on http://127.0.0.1:${DEMO_WEBHOOK.port}${DEMO_WEBHOOK.path}: prints each event it gets, its signature checked\n`);
}

async function api(method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${committente}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }).catch(() => {
    console.error(`Cannot reach ${baseUrl}: start the stack first with "npm start" (same --config and --data).`);
    process.exit(1);
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${terminalSafe(await response.text())}`);
  return terminalSafeDeep(await response.json());
}

function list(rows: number, seed: number): string {
  const lines = ['nome;cognome;telefono;email;data_consenso;fonte_consenso'];
  for (let i = 0; i < rows; i++) {
    lines.push(`Giulia${i};Esposito;+39 347 ${String(seed * 10000 + i).padStart(7, '0')};g${i}@example.it;${italianDate(addDays(romeDate(new Date()), -30 - (i % 60)))};concorso online`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function sign(pdf: Uint8Array, name: string): Promise<Uint8Array> {
  const input = path.join(work, `${name}.pdf`);
  const output = `${input}.p7m`;
  await writeFile(input, pdf);
  await promisify(execFile)('openssl', [
    'cms', '-sign', '-cades', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256',
    '-in', input, '-signer', demoPki.signerPath, '-inkey', demoPki.signerKeyPath, '-out', output,
  ]);
  return new Uint8Array(await readFile(output));
}

async function submit(name: string, rows: number, seed: number, attestation: (intakeId: string, csv: string) => Promise<Uint8Array>) {
  const csv = list(rows, seed);
  const created = await api('POST', '/v1/intakes', { callCenter, campaign: `Demo: ${name}` });
  const put = async (link: any, body: Uint8Array | string) => {
    const response = await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit });
    if (!response.ok) throw new Error(`upload failed: ${response.status}`);
  };
  await put(created.uploads.list, csv);
  await put(created.uploads.attestation, await attestation(created.intakeId, csv));
  let answered = false;
  for (let i = 0; i < 240; i++) {
    const intake = await api('GET', `/v1/intakes/${created.intakeId}`);
    if (intake.status === 'AWAITING_EVIDENCE' && !answered) {
      await put((await api('POST', `/v1/intakes/${created.intakeId}/evidence`)).upload, await evidenceFor(created.intakeId, name));
      answered = true;
      continue;
    }
    if (!['AWAITING_UPLOADS', 'PROCESSING', 'APPROVED', 'AWAITING_EVIDENCE'].includes(intake.status)) return intake;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return api('GET', `/v1/intakes/${created.intakeId}`);
}

/**
 * The committente's answer to a consent sample (docs/consent-sampling.md): the sample downloaded as CSV, its evidence
 * columns filled in (the consent on the row's date from a public address, the notice shown, a double opt-in minutes
 * later), as the file the demo keeps beside its other files.
 */
async function evidenceFor(intakeId: string, name: string): Promise<Uint8Array> {
  const response = await fetch(`${baseUrl}/v1/intakes/${intakeId}/consent-sample?format=csv`, { headers: { authorization: `Bearer ${committente}` } });
  if (!response.ok) throw new Error(`GET consent-sample: ${response.status} ${terminalSafe(await response.text())}`);
  const [header, ...rows] = (await response.text()).trimEnd().split('\r\n');
  const filled = rows.map((line) => {
    const date = line.split(';')[2] || romeDate(new Date());
    const at = (time: string) => `${date}T${time}:00+01:00`;
    return line.replace(/;;;;;;$/, `;${at('10:00')};93.184.216.34;https://www.acme-energia.it/concorso;INF-2026-01;double_opt_in;${at('10:04')}`);
  });
  const evidence = new TextEncoder().encode(`${[header, ...filled].join('\r\n')}\r\n`);
  await writeFile(path.join(work, `${name}-consent-evidence.csv`), evidence);
  return evidence;
}

const today = romeDate(new Date());
const form = (intakeId: string, csv: string, over: Record<string, string> = {}) =>
  renderAttestationPdf({
    intakeId,
    controllerName: tenant.name,
    controllerVat: tenant.vat,
    signatory: 'Mario Rossi',
    listSha256: createHash('sha256').update(csv).digest('hex'),
    rowCount: String(csv.trimEnd().split('\r\n').length - 1),
    legalBasis: 'Consenso (art. 6.1.a GDPR)',
    purpose: 'Offerte commerciali di energia elettrica e gas',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -2))}`,
    source: 'Concorso a premi online, modulo con doppio consenso',
    rpoCheckDate: italianDate(addDays(today, -1)),
    extraEuTransfer: 'No',
    processor: loaded.config.callCenters.find((c) => c.id === callCenter)?.name ?? callCenter,
    placeAndDate: `Milano, ${italianDate(today)}`,
    ...over,
  });

try {
  const results = [
    ['signed, bound to the list, fresh RPO check', await submit('released', 200, 1, async (id, csv) => sign(await form(id, csv), 'released'))],
    ['RPO check 20 days old (DPR 26/2022: valid 15 days)', await submit('rejected', 120, 2, async (id, csv) => sign(await form(id, csv, { rpoCheckDate: italianDate(addDays(today, -20)) }), 'rejected'))],
    ['attestation not digitally signed', await submit('review', 80, 3, async (id, csv) => form(id, csv))],
  ] as const;
  console.log(`Demo intakes of ${tenant.name} for ${callCenter}:\n`);
  for (const [why, intake] of results) {
    console.log(`  ${intake.intakeId}  ${String(intake.status).padEnd(10)} ${why}`);
    for (const f of intake.findings.filter((f: any) => f.severity !== 'info')) console.log(`      [${f.severity}] ${f.code}: ${f.message}`);
    const sample = intake.consentSample;
    if (sample) {
      const outcome = sample.outcome ? `outcome ${sample.outcome}, ${sample.defectiveRows ?? 0} defective` : 'awaiting its evidence';
      console.log(`      consent sample: ${sample.sampledRows} rows drawn (seed ${String(sample.seed).slice(0, 16)}…), evidence answered by the demo: ${outcome}`);
    }
  }
  console.log(`\nFollow them with: npm run -s filiera -- status --token $(npm run -s filiera -- token --role committente)`);
  console.log(`Pull the release:  npm run -s filiera -- pull --intake ${results[0][1].intakeId} --token $(npm run -s filiera -- token --role callcenter)`);
  if (receiver) {
    await receiver.settle();
    const valid = receiver.received.filter((r) => r.check.valid).length;
    console.log(`\nWebhook: ${receiver.received.length} event(s) received, ${valid} with a valid signature (see docs/events.md).`);
  }
} finally {
  await receiver?.close();
  await rm(work, { recursive: true, force: true });
}
