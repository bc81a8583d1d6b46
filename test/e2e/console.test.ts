import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPdfText } from '../../shared/attestation/pdf-text.js';
import { addDays, italianDate, romeDate } from '../../shared/verdict/dates.js';
import { makeAttestation, writeFixture } from '../fixtures/attestations.js';
import { DEMO_TENANT_VAT, makePki, OTHER_COMPANY_VAT } from '../fixtures/pki.js';
import { attestationBytes, cleanList, sha256, startTestStack, type TestStack, apiCall } from '../fixtures/stack.js';
import { launchChromium } from '../fixtures/browser.js';

/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core; nothing downloaded), against one
 * embedded stack holding an intake in review, two rejected ones (acme and beta) and the API that guards them.
 * Screenshots of the main pages go to test-results/console/.
 */
const SHOTS = path.resolve('test-results/console');
const CAMPAIGN_REVIEW = 'Campagna revisione E2E';
const CAMPAIGN_REJECTED = 'Campagna rigetto E2E';
const CAMPAIGN_BETA = 'Campagna beta E2E';
const JUSTIFICATION = 'Firma autografa verificata sull\'originale depositato presso la sede del committente.';

let stack: TestStack;
let browser: Browser;
let inReview: string;
let rejected: string;
let betaRejected: string;
const tokens = {} as Record<'acme' | 'beta' | 'napoli' | 'compliance' | 'complianceBeta', string>;

const api = (method: string, route: string, token: string, body?: unknown) => apiCall(stack.baseUrl, method, route, token, body);

function values(intakeId: string, list: string, rows: number, over: Record<string, string> = {}) {
  const today = romeDate(new Date());
  return {
    intakeId,
    controllerName: 'Acme Energia S.p.A.',
    controllerVat: `IT${DEMO_TENANT_VAT}`,
    signatory: 'Mario Rossi',
    listSha256: sha256(list),
    rowCount: String(rows),
    legalBasis: 'Consenso (art. 6.1.a GDPR)',
    purpose: 'Offerte commerciali energia',
    collectionPeriod: `dal 01/01/2026 al ${italianDate(addDays(today, -3))}`,
    source: 'Concorso a premi online',
    rpoCheckDate: italianDate(addDays(today, -2)),
    extraEuTransfer: 'No',
    processor: 'Contact Napoli S.r.l.',
    placeAndDate: `Milano, ${italianDate(addDays(today, -1))}`,
    ...over,
  };
}

/**
 * An attestation with two parallel signers in one CAdES envelope, made by `openssl cms -sign`: Mario Rossi, who
 * identifies the tenant, and Giuseppe Verdi of another company, trusted and valid but not the tenant's.
 */
async function twoSignerCades(values: Record<string, string>): Promise<Uint8Array> {
  const pki = await makePki();
  const input = await writeFixture((await makeAttestation({ values, signing: 'none' })).bytes, 'two-signers.pdf');
  const [mario, verdi] = [pki.signers.mario, pki.signers.otherCompany];
  await promisify(execFile)('openssl', [
    'cms', '-sign', '-cades', '-binary', '-nodetach', '-outform', 'DER', '-md', 'sha256', '-in', input,
    '-signer', mario.certPath, '-inkey', mario.keyPath, '-signer', verdi.certPath, '-inkey', verdi.keyPath,
    '-certfile', mario.chainPath, '-out', `${input}.p7m`,
  ]);
  return new Uint8Array(await readFile(`${input}.p7m`));
}

async function submit(token: string, callCenter: string, campaign: string, list: string, attestation: (id: string) => Promise<Uint8Array>) {
  const created = await api('POST', '/v1/intakes', token, { callCenter, campaign });
  expect(created.status).toBe(201);
  const { intakeId, uploads } = created.json;
  for (const [link, body] of [
    [uploads.list, list],
    [uploads.attestation, await attestation(intakeId)],
  ] as const) {
    const put = await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit });
    expect(put.status).toBe(200);
  }
  return intakeId as string;
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startTestStack();
  stack.console.warm();
  tokens.acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  tokens.beta = await stack.token({ role: 'committente', tenant: 'beta', sub: 'bruno' });
  tokens.napoli = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
  tokens.compliance = await stack.token({ role: 'compliance', sub: 'carla' });
  tokens.complianceBeta = await stack.token({ role: 'compliance', sub: 'berta', tenants: ['beta'] });

  // An unsigned attestation goes to review; one bound to another list (signed by two) is rejected; beta's list is over its limit.
  const reviewList = cleanList(12, 71);
  inReview = await submit(tokens.acme, 'cc-napoli', CAMPAIGN_REVIEW, reviewList, (id) => attestationBytes({ values: values(id, reviewList, 12), signing: 'none' }));
  const rejectedList = cleanList(8, 72);
  rejected = await submit(tokens.acme, 'cc-roma', CAMPAIGN_REJECTED, rejectedList, (id) => twoSignerCades(values(id, rejectedList, 8, { listSha256: sha256('another list') })));
  const betaList = cleanList(60, 73);
  betaRejected = await submit(tokens.beta, 'cc-milano', CAMPAIGN_BETA, betaList, (id) =>
    attestationBytes({ values: values(id, betaList, 60, { controllerVat: `IT${OTHER_COMPANY_VAT}` }), signing: 'none' }),
  );
  await stack.settle();
  expect((await api('GET', `/v1/intakes/${inReview}`, tokens.acme)).json.status).toBe('IN_REVIEW');
  expect((await api('GET', `/v1/intakes/${rejected}`, tokens.acme)).json.status).toBe('REJECTED');
  expect((await api('GET', `/v1/intakes/${betaRejected}`, tokens.beta)).json.status).toBe('REJECTED');

  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});


async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'it-IT' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Signs in by pasting a token, as a user of the local stack would. */
async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/`);
  await page.getByLabel('Token bearer').first().fill(token);
  await page.getByRole('button', { name: 'Accedi con il token' }).click();
  await page.getByTestId('who').waitFor();
}

describe('the compliance console in a browser', () => {
  it('compliance signs in as a demo user, works the queue, approves an intake in review with a justification, and sees it released', async () => {
    const page = await newPage();
    // The errors the browser reports along the way (a failed request, a script error): none on this path.
    const reported: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') reported.push(`${message.text()} ${message.location().url}`);
    });
    page.on('pageerror', (error) => reported.push(`pageerror: ${error.message}`));
    // Sign in with the keyboard: the demo-user picker, then Tab to its button and Enter.
    await page.goto(`${stack.baseUrl}/`);
    await page.getByLabel('Utente').selectOption({ label: 'responsabile della conformità' });
    await page.getByLabel('Utente').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Accedi come questo utente');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');

    // The queue: both acme intakes and beta's, newest first, with counts.
    await page.getByRole('heading', { level: 1, name: 'Coda di revisione' }).waitFor();
    await page.locator(`tr[data-intake="${inReview}"]`).waitFor();
    const rows = await page.locator('table.intakes tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-intake')));
    expect(rows).toEqual([betaRejected, rejected, inReview]);
    expect(await page.getByTestId('queue-counts').textContent()).toBe('In revisione: 1 · Respinti: 2 · Mostrati: 3');
    await shot(page, '01-queue');

    // Filters: status, tenant, call center and age each narrow the list.
    await page.getByLabel('Stato').selectOption('IN_REVIEW');
    await page.getByRole('button', { name: 'Applica i filtri' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.intakes tbody tr').length === 1);
    expect(await page.locator('table.intakes tbody tr').getAttribute('data-intake')).toBe(inReview);
    await page.getByLabel('Stato').selectOption('');
    await page.getByLabel('Committente').selectOption('acme');
    await page.getByRole('button', { name: 'Applica i filtri' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.intakes tbody tr').length === 2);
    expect(await page.getByTestId('queue-counts').textContent()).toBe('In revisione: 1 · Respinti: 1 · Mostrati: 2');
    await page.getByLabel('Call center').selectOption('cc-roma');
    await page.getByRole('button', { name: 'Applica i filtri' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.intakes tbody tr').length === 1);
    expect(await page.locator('table.intakes tbody tr').getAttribute('data-intake')).toBe(rejected);
    await page.getByLabel('Età').selectOption('older_week');
    await page.getByRole('button', { name: 'Applica i filtri' }).click();
    await page.getByText('Nessun intake corrisponde ai filtri.').waitFor();
    await page.getByRole('link', { name: 'Azzera' }).click();
    await page.locator(`tr[data-intake="${betaRejected}"]`).waitFor();

    // The intake in review: verdict, finding with its rule in Italian and English, fields, list, signature, trail.
    await page.getByRole('link', { name: inReview }).click();
    await page.getByRole('heading', { level: 1, name: `Intake ${inReview}` }).waitFor();
    await page.getByTestId('chain-browser').waitFor();
    expect(await page.getByTestId('verdict').textContent()).toBe('da rivedere');
    const unsigned = page.locator('li.finding[data-code="attestation_unsigned"]');
    expect(await unsigned.locator('.finding-message').textContent()).toContain('non ha una firma digitale');
    expect(await unsigned.locator('dd.rule[lang="it"]').textContent()).toContain('CAD (D.Lgs. 82/2005) artt. 20-21');
    expect(await unsigned.locator('dd.rule[lang="en"]').textContent()).toContain('a handwritten or missing signature is a human\'s call');
    expect(await page.locator('tr[data-field="listSha256"] td.raw').textContent()).toBe(sha256(cleanList(12, 71)));
    expect(await page.locator('tr[data-field="rowCount"] td.confidence').textContent()).toContain('100%');
    expect(await page.getByTestId('data-rows').textContent()).toBe('12');
    expect(await page.getByTestId('released-rows').textContent()).toBe('12');
    expect(await page.locator('table.excluded tr[data-reason="duplicate"] td').textContent()).toBe('0');
    expect(await page.getByTestId('signature-absent').textContent()).toContain('non ha una firma digitale');
    expect(await page.getByTestId('chain-server').getAttribute('data-valid')).toBe('true');
    expect(await page.getByTestId('chain-browser').getAttribute('data-valid')).toBe('true');
    await shot(page, '02-intake-in-review');
    // Nothing runs off the side of the page: 64-digit hashes and object keys wrap inside their cells.
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);

    // Documents through five-minute links; the list opened is the list verified.
    await page.getByRole('button', { name: 'Genera i link ai documenti' }).click();
    const listLink = page.locator('li[data-document="list"] a');
    await listLink.waitFor();
    expect(await page.locator('li[data-document]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-document')))).toEqual(['list', 'attestation', 'receipt']);
    const downloaded = await (await fetch((await listLink.getAttribute('href'))!)).text();
    expect(sha256(downloaded)).toBe(sha256(cleanList(12, 71)));

    // The decision: refused without a justification, nothing recorded.
    await page.getByLabel('Approva e consegna la lista').check();
    await page.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.getByText('Scegli una decisione e scrivi una motivazione di almeno 10 caratteri.').waitFor();
    expect((await api('GET', `/v1/intakes/${inReview}`, tokens.compliance)).json.status).toBe('IN_REVIEW');

    await page.getByLabel('Motivazione scritta (obbligatoria, almeno 10 caratteri)').fill(JUSTIFICATION);
    await page.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.getByTestId('decision-notice').waitFor();
    expect(await page.getByTestId('decision-notice').textContent()).toBe('Decisione registrata: Consegnato.');
    expect(await page.locator('#summary [data-status]').getAttribute('data-status')).toBe('RELEASED');
    expect(await page.getByTestId('review-record').textContent()).toContain(JUSTIFICATION);
    expect(await page.locator('form.decision').count()).toBe(0);
    const decided = page.locator('tr[data-event="review.decided"]');
    expect(await decided.locator('td').nth(3).textContent()).toBe('compliance:demo-compliance');
    expect(await decided.locator('td.data').textContent()).toContain(JUSTIFICATION);
    expect(await page.locator('tr[data-event="release.published"]').count()).toBe(1);
    expect(await page.locator('tr[data-event="document.link_issued"]').count()).toBe(1);
    expect(await page.getByTestId('chain-browser').getAttribute('data-valid')).toBe('true');
    await shot(page, '03-intake-approved');

    // What the page says is what the API holds: released, with the reviewer's decision.
    const after = (await api('GET', `/v1/intakes/${inReview}`, tokens.compliance)).json;
    expect(after.status).toBe('RELEASED');
    expect(after.review).toMatchObject({ decision: 'approve', reviewer: 'demo-compliance', justification: JUSTIFICATION });
    expect((await api('GET', '/v1/releases', tokens.napoli)).json.items.map((r: any) => r.intakeId)).toContain(inReview);

    // English on demand, same page.
    await page.getByTestId('language').click();
    await page.getByRole('heading', { level: 2, name: 'Findings' }).waitFor();
    expect(await page.locator('li.finding[data-code="attestation_unsigned"] .finding-message').textContent()).toContain('carries no digital signature');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, '04-intake-english');
    expect(reported).toEqual([]);
    await page.context().close();
  });

  it('a committente sees its own intakes and why one was rejected, and cannot decide', async () => {
    const page = await newPage();
    await signInWithToken(page, tokens.acme);
    await page.getByRole('heading', { level: 1, name: 'I miei intake' }).waitFor();
    await page.locator(`tr[data-intake="${rejected}"]`).waitFor();
    expect(await page.locator('table.intakes tbody tr').count()).toBe(2);
    expect(await page.content()).not.toContain(betaRejected);
    await shot(page, '05-committente-intakes');

    await page.getByRole('link', { name: rejected }).click();
    await page.getByTestId('chain-browser').waitFor();
    expect(await page.getByTestId('verdict').textContent()).toBe('respinto');
    const mismatch = page.locator('li.finding[data-code="list_hash_mismatch"]');
    expect(await mismatch.locator('.finding-message').textContent()).toContain('La dichiarazione riguarda un\'altra lista');
    expect(await mismatch.locator('dd.rule[lang="it"]').textContent()).toContain('Codice di condotta telemarketing 2024 art. 14');
    expect(await mismatch.locator('dd.rule[lang="en"]').textContent()).toContain('chain of custody of the list');
    expect(await page.locator('tr[data-check="integrity"] td').first().textContent()).toBe('superato');
    // The signature report: a block per signer, headed by who signed and whether they identify the tenant, each with
    // its ETSI EN 319 102-1 indication and its checks.
    // The envelope's SignerInfos are a DER SET: their order is the encoding's, not the signing order.
    const blocks = page.getByTestId('signature-block');
    expect(await blocks.count()).toBe(2);
    expect((await blocks.locator('h3').allTextContents()).map((t) => t.replace(/^Firma \d di 2: /, '')).sort()).toEqual([
      'Giuseppe Verdi — non identifica il committente',
      'Mario Rossi — identifica il committente',
    ]);
    const verdi = page.locator('[data-testid="signature-block"][data-identifies-tenant="false"]');
    expect(await verdi.locator('caption').textContent()).toMatch(/^Controlli della firma [12] \(Giuseppe Verdi\)$/);
    expect(await verdi.locator('tr[data-check="chain"] td').first().textContent()).toBe('superato');
    // No revocation data in this stack: INDETERMINATE / TRY_LATER, in words beside the standard's terms, and the info finding it raised.
    for (const block of await blocks.all()) {
      expect(await block.getByTestId('signature-block-indication').textContent()).toBe('INDETERMINATE (indeterminata)');
      expect(await block.locator('[data-sub-indication]').getAttribute('data-sub-indication')).toBe('TRY_LATER');
      expect(await block.locator('tr[data-check="revocation"] td.finding-codes').textContent()).toBe('revocation_status_unknown');
    }
    // The panel's markup holds up for assistive technology (axe-core: no serious or critical violation), and the
    // certificate subjects wrap instead of running off the page.
    const axe = await new AxeBuilder({ page }).include('#signature').analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    expect(await page.locator('form.decision').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Coda di revisione' }).count()).toBe(0);
    await shot(page, '06-committente-rejection');
    await page.context().close();
  });

  it('the wrong role or scope sees nothing of an intake', async () => {
    // A committente of another tenant: the API answers 404, the page shows no data.
    const beta = await newPage();
    await signInWithToken(beta, tokens.beta);
    await beta.goto(`${stack.baseUrl}/#/intake/${rejected}`);
    await beta.getByText('Intake non trovato, o fuori dal tuo ambito.').waitFor();
    for (const secret of [CAMPAIGN_REJECTED, 'list_hash_mismatch', 'cc-roma']) expect(await beta.content()).not.toContain(secret);
    await shot(beta, '07-other-tenant');
    await beta.context().close();

    // A call center: the console offers it nothing, whatever address it opens.
    const napoli = await newPage();
    await signInWithToken(napoli, tokens.napoli);
    await napoli.goto(`${stack.baseUrl}/#/intake/${inReview}`);
    await napoli.getByTestId('no-console').waitFor();
    for (const secret of [CAMPAIGN_REVIEW, 'attestation_unsigned']) expect(await napoli.content()).not.toContain(secret);
    await napoli.context().close();

    // A reviewer scoped to beta: acme's intakes are neither in the queue nor open to a decision.
    const berta = await newPage();
    await signInWithToken(berta, tokens.complianceBeta);
    await berta.locator(`tr[data-intake="${betaRejected}"]`).waitFor();
    expect(await berta.locator('table.intakes tbody tr').count()).toBe(1);
    await berta.goto(`${stack.baseUrl}/#/intake/${rejected}`);
    await berta.getByText('Intake non trovato, o fuori dal tuo ambito.').waitFor();
    expect(await berta.locator('form.decision').count()).toBe(0);
    expect(await berta.content()).not.toContain(CAMPAIGN_REJECTED);
    await berta.context().close();
  });

  it('a committente downloads the pre-filled attestation of an intake waiting for it: the list\'s hash and rows filled in', async () => {
    const list = cleanList(7, 72);
    const created = await api('POST', '/v1/intakes', tokens.acme, { callCenter: 'cc-napoli', campaign: 'Da firmare' });
    const { intakeId, uploads } = created.json;
    expect((await fetch(uploads.list.url, { method: uploads.list.method, headers: uploads.list.headers, body: list })).status).toBe(200);
    await stack.settle();

    const page = await newPage();
    await signInWithToken(page, tokens.acme);
    await page.goto(`${stack.baseUrl}/#/intake/${intakeId}`);
    await page.getByRole('heading', { level: 2, name: 'Dichiarazione da firmare' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Scarica la dichiarazione precompilata' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`dichiarazione-${intakeId}.pdf`);
    const text = (await readPdfText(new Uint8Array(await readFile((await download.path())!)))).text;
    expect(text).toContain(intakeId);
    expect(text).toContain(sha256(list));
    expect(text).toMatch(/Numero di contatti[^\n]*\b7\b/);
    await shot(page, '08-committente-template');
    await page.context().close();

    // Compliance staff review; they do not fill in attestations.
    const officer = await newPage();
    await signInWithToken(officer, tokens.compliance);
    await officer.goto(`${stack.baseUrl}/#/intake/${intakeId}`);
    await officer.getByRole('heading', { level: 1, name: `Intake ${intakeId}` }).waitFor();
    await officer.locator('#summary').waitFor();
    expect(await officer.locator('#template').count()).toBe(0);
    await officer.context().close();
  });
});
