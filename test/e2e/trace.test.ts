import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestationBytes, boundAttestation, cleanList, sha256, startTestStack, type TestStack, apiCall } from '../fixtures/stack.js';
import { addDays, italianDate, romeDate } from '../../shared/verdict/dates.js';
import { OTHER_COMPANY_VAT } from '../fixtures/pki.js';
import { TRACE_KEY_FILE } from '../../shared/adapters/local/file-trace-key.js';
import { launchChromium } from '../fixtures/browser.js';

/**
 * Tracing a number on the embedded stack (docs/api.md): releases through the API, then GET /v1/trace, over
 * the index the releases wrote to the data folder, read by DuckDB. The number traced is in an acme list released on
 * its signed attestation and in a beta list released by compliance; another acme number only in the first.
 */
let stack: TestStack;
let browser: Browser | undefined;
const tokens: Record<string, string> = {};
let acmeRelease: string;
let betaRelease: string;

const api = (method: string, path: string, token: string | undefined, body?: unknown) => apiCall(stack.baseUrl, method, path, token, body);

async function open(token: string, callCenter: string, campaign: string, list: string, attestation: (id: string) => Promise<Uint8Array>) {
  const created = await api('POST', '/v1/intakes', token, { callCenter, campaign });
  expect(created.status).toBe(201);
  const { intakeId, uploads } = created.json;
  await fetch(uploads.list.url, { method: 'PUT', headers: uploads.list.headers, body: list });
  await fetch(uploads.attestation.url, { method: 'PUT', headers: uploads.attestation.headers, body: (await attestation(intakeId)) as BodyInit });
  await stack.settle();
  return intakeId as string;
}

const trace = (token: string | undefined, phone: string) => api('GET', `/v1/trace?phone=${encodeURIComponent(phone)}`, token);
const found = (res: { json: any }) => (res.json.releases as { intakeId: string }[]).map((r) => r.intakeId).sort();

beforeAll(async () => {
  stack = await startTestStack();
  stack.console.warm();
  tokens.acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  tokens.beta = await stack.token({ role: 'committente', tenant: 'beta', sub: 'bruno' });
  tokens.napoli = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
  tokens.compliance = await stack.token({ role: 'compliance', sub: 'carla' });
  tokens.complianceBeta = await stack.token({ role: 'compliance', sub: 'berta', tenants: ['beta'] });

  // acme: +39 347 1050000 .. 1050004, released at once on Mario Rossi's signature.
  const acmeList = cleanList(5, 50);
  acmeRelease = await open(tokens.acme, 'cc-napoli', 'Acme inverno', acmeList, (id) => boundAttestation(id, acmeList, 5));
  // beta: the same first number and one of its own, unsigned: released when compliance approves.
  const betaList = 'nome;telefono;data_consenso;fonte_consenso\r\nUno;0039 347 105 0000;01/02/2026;https://beta.example/iscrizione\r\nDue;+39 347 1060000;;\r\n';
  const today = romeDate(new Date());
  betaRelease = await open(tokens.beta, 'cc-milano', 'Beta inverno', betaList, (id) =>
    attestationBytes({
      values: {
        intakeId: id,
        controllerVat: OTHER_COMPANY_VAT,
        listSha256: sha256(betaList),
        rowCount: '2',
        // Not consent: beta's own policy takes the default consent sample, which would wait for evidence.
        legalBasis: 'Esecuzione di un contratto',
        collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
        rpoCheckDate: italianDate(addDays(today, -1)),
        extraEuTransfer: 'No',
        placeAndDate: `Roma, ${italianDate(today)}`,
      },
      signing: 'none',
    }),
  );
  expect((await api('GET', `/v1/intakes/${acmeRelease}`, tokens.acme)).json.status).toBe('RELEASED');
  expect((await api('GET', `/v1/intakes/${betaRelease}`, tokens.beta)).json.status).toBe('IN_REVIEW');
  const decided = await api('POST', `/v1/review/${betaRelease}/decision`, tokens.compliance, { decision: 'approve', justification: 'Verificata a mano: consensi documentati.' });
  expect(decided.json.status).toBe('RELEASED');
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe('GET /v1/trace on the embedded stack', () => {
  it('finds both releases for compliance, with the release facts, the signer and the row\'s consent', async () => {
    const res = await trace(tokens.compliance, '347 105 0000');
    expect(res.status).toBe(200);
    expect(res.json.phone).toBe('+393471050000');
    expect(found(res)).toEqual([acmeRelease, betaRelease].sort());
    const acme = res.json.releases.find((r: { intakeId: string }) => r.intakeId === acmeRelease);
    expect(acme).toMatchObject({ tenant: 'acme', campaign: 'Acme inverno', callCenter: 'cc-napoli', consentDate: '2026-03-15', consentSource: null, signer: { commonName: 'Mario Rossi' } });
    const beta = res.json.releases.find((r: { intakeId: string }) => r.intakeId === betaRelease);
    expect(beta).toMatchObject({ tenant: 'beta', campaign: 'Beta inverno', callCenter: 'cc-milano', consentDate: '2026-02-01', consentSource: 'https://beta.example/iscrizione', signer: null });
    const intake = await api('GET', `/v1/intakes/${betaRelease}`, tokens.compliance);
    // The index's release time is the intake's.
    expect(beta.releasedAt).toBe(intake.json.release.releasedAt);
  });

  it('finds only its own release for each committente, and for compliance scoped to beta', async () => {
    expect(found(await trace(tokens.acme, '+393471050000'))).toEqual([acmeRelease]);
    expect(found(await trace(tokens.beta, '+393471050000'))).toEqual([betaRelease]);
    expect(found(await trace(tokens.complianceBeta, '+393471050000'))).toEqual([betaRelease]);
  });

  it('does not find another tenant\'s number: beta finds nothing for an acme-only number', async () => {
    expect(found(await trace(tokens.acme, '+393471050003'))).toEqual([acmeRelease]);
    expect(found(await trace(tokens.beta, '+393471050003'))).toEqual([]);
    expect(found(await trace(tokens.acme, '+393471060000'))).toEqual([]);
  });

  it('refuses call centers (403) and a missing token (401)', async () => {
    expect((await trace(tokens.napoli, '+393471050000')).status).toBe(403);
    expect((await trace(undefined, '+393471050000')).status).toBe(401);
  });

  it('keeps numbers in clear only in lists and receipts: not in the index, the audit records, the key, the queue', async () => {
    const files = (await readdir(stack.dataDir, { withFileTypes: true, recursive: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    const index = files.filter((f) => f.includes(`${path.sep}trace${path.sep}tenant=`));
    const audits = files.filter((f) => f.includes(`${path.sep}trace-audit${path.sep}`));
    expect(index.some((f) => f.includes(`tenant=acme`) && f.includes(acmeRelease))).toBe(true);
    expect(index.some((f) => f.includes(`tenant=beta`) && f.includes(betaRelease))).toBe(true);
    expect(audits.length).toBeGreaterThan(0);
    const listsAndReceipts = /(list\.csv|cleaned\.csv|receipt\.json)\._S3rver_(object|metadata\.json)$/;
    const offenders: string[] = [];
    for (const file of files) {
      if (listsAndReceipts.test(file)) continue;
      const text = (await readFile(file)).toString('latin1');
      for (const digits of ['3471050000', '3471050003', '3471060000', '347 105 0000', '347 1060000']) if (text.includes(digits)) offenders.push(`${file}: ${digits}`);
    }
    expect(offenders).toEqual([]);
    // The index's key: made at first start, the owner's only.
    expect((await stat(path.join(stack.dataDir, TRACE_KEY_FILE))).mode & 0o777).toBe(0o600);
  });
});

describe('the console\'s "trace a number" page', () => {
  it('a committente traces a number in any notation and opens the release found; compliance sees both tenants', async () => {
    browser = await launchChromium();
    const errors: string[] = [];
    let page!: Awaited<ReturnType<Browser['newPage']>>;
    for (const [token, expected] of [
      [tokens.compliance, [acmeRelease, betaRelease].sort()],
      [tokens.acme, [acmeRelease]],
    ] as const) {
      // A fresh browser profile per user.
      const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'it-IT' });
      page = await context.newPage();
      page.setDefaultTimeout(60_000);
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${stack.baseUrl}/`);
      await page.getByLabel('Token bearer').first().fill(token!);
      await page.getByRole('button', { name: 'Accedi con il token' }).click();
      await page.getByTestId('who').waitFor();
      await page.getByTestId('nav-trace').click();
      await page.getByRole('heading', { level: 1, name: 'Traccia un numero' }).waitFor();
      await page.getByLabel('Numero di telefono (in qualsiasi formato)').fill('0039 347-105-0000');
      await page.getByRole('button', { name: 'Traccia', exact: true }).click();
      await page.locator('table.trace tbody tr').first().waitFor();
      expect(await page.getByTestId('trace-searched').textContent()).toBe('Cercato come +393471050000');
      const rows = await page.locator('table.trace tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-intake')));
      expect([...rows].sort()).toEqual(expected);
      // The number never reaches the page's address (browser history).
      expect(page.url()).not.toMatch(/347|1050000/);
    }
    await page.locator(`tr[data-intake="${acmeRelease}"] a`).click();
    await page.waitForURL(new RegExp(`#/intake/${acmeRelease}$`));
    await page.getByRole('heading', { level: 1 }).filter({ hasText: acmeRelease }).waitFor();

    await page.getByTestId('nav-trace').click();
    await page.getByLabel('Numero di telefono (in qualsiasi formato)').fill('12');
    await page.getByRole('button', { name: 'Traccia', exact: true }).click();
    await page.getByText('Non è un numero di telefono valido.').waitFor();
    expect(errors).toEqual([]);
  });
});
