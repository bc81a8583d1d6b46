import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPdfText } from '../../shared/attestation/pdf-text.js';
import { boundAttestation, cleanList, sha256, startTestStack, type TestStack, apiCall } from '../fixtures/stack.js';
import { launchChromium } from '../fixtures/browser.js';

/**
 * The console's paths for committenti and call centers in a real browser (Debian's chromium, driven by playwright-core;
 * nothing downloaded), on one embedded stack: a committente opens an intake, uploads the list (file picker, through an
 * expired link renewed without starting over, and by drag and drop) and the signed attestation (keyboard only)
 * straight to storage, and watches the verdict arrive without reloading; the call center downloads the list and the
 * receipt, the list's hash is checked in the browser, and the intake's audit trail shows the link issues. axe-core
 * runs on every page (no serious or critical violation); the releases page is checked at phone width.
 * Screenshots go to test-results/console-roles/.
 */
const SHOTS = path.resolve('test-results/console-roles');
const CAMPAIGN = 'Campagna browser E2E';

let stack: TestStack;
let browser: Browser;
const tokens = {} as Record<'acme' | 'napoli' | 'compliance', string>;
/** The intake the committente opens in the browser, released to cc-napoli at the end of the first test. */
let released = '';
const list = cleanList(9, 81);

const api = (method: string, route: string, token: string, body?: unknown) => apiCall(stack.baseUrl, method, route, token, body);

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startTestStack();
  stack.console.warm();
  tokens.acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  tokens.napoli = await stack.token({ role: 'callcenter', callcenter: 'cc-napoli', sub: 'nadia' });
  tokens.compliance = await stack.token({ role: 'compliance', sub: 'carla' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

/** A page with the errors the browser reports along the way collected (a failed request, a script error). */
async function newPage(viewport = { width: 1366, height: 800 }): Promise<{ page: Page; reported: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'it-IT', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const reported: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') reported.push(`${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => reported.push(`pageerror: ${error.message}`));
  return { page, reported };
}

async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/`);
  await page.getByLabel('Token bearer').first().fill(token);
  await page.getByRole('button', { name: 'Accedi con il token' }).click();
  await page.getByTestId('who').waitFor();
}

/** axe-core in the page: no serious or critical violation (the list of them is the failure message). */
async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Presses Tab until the element with this id has focus (a keyboard user's way there); fails after `max` presses. */
async function tabTo(page: Page, id: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} not reached with ${max} Tab presses`);
}

describe('the console for committenti and call centers in a browser', () => {
  it('a committente opens an intake, uploads both files from the browser, and sees the verdict arrive without reloading', { timeout: 300_000 }, async () => {
    const { page, reported } = await newPage();
    // Keep Playwright's file-chooser interception on from the start: switched on only by waitForEvent, it could reach
    // the browser after the key press that opens the picker on a loaded machine, and the chooser would never be seen.
    page.on('filechooser', () => {});
    await signInWithToken(page, tokens.acme);
    await page.getByRole('heading', { level: 1, name: 'I miei intake' }).waitFor();
    await expectAccessible(page, 'mine');

    // Open: the call centers are acme's own, with their names.
    await page.getByTestId('nav-new').click();
    await page.locator('#new-call-center').waitFor();
    const options = await page.locator('#new-call-center option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['', 'cc-napoli', 'cc-roma']);
    await expectAccessible(page, 'new intake');
    await page.getByRole('button', { name: 'Apri l\'intake' }).click();
    await page.getByText('Scegli un call center e scrivi il nome della campagna.').waitFor();
    await page.getByLabel('Call center').selectOption('cc-napoli');
    await page.getByLabel('Campagna').fill(CAMPAIGN);
    await page.getByRole('button', { name: 'Apri l\'intake' }).click();
    await page.waitForURL(/#\/intake\/[A-Za-z0-9-]+$/);
    released = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    await page.getByRole('heading', { level: 2, name: 'Carica la lista dei contatti' }).waitFor();
    expect((await api('GET', `/v1/intakes/${released}`, tokens.acme)).json).toMatchObject({ status: 'AWAITING_UPLOADS', callCenter: 'cc-napoli', campaign: CAMPAIGN });
    await expectAccessible(page, 'intake awaiting uploads');
    await shot(page, '01-committente-uploads');

    // No reload from here on: a value set in this document must still be there when the verdict shows.
    await page.evaluate(() => ((window as unknown as { sameDocument: string }).sameDocument = 'yes'));
    // The progress bar's values, as the page sets them.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver((records) => {
        for (const r of records) if (r.target instanceof HTMLProgressElement) seen.push(r.target.value);
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['value'] });
    });

    // The list through the file picker; its first link answers as an expired one does: the page says so and renews
    // it without choosing the file again.
    let refusedOnce = false;
    await page.route(
      (url) => url.searchParams.has('X-Amz-Signature'),
      async (route) => {
        if (route.request().method() === 'PUT' && !refusedOnce) {
          refusedOnce = true;
          await route.fulfill({
            status: 403,
            headers: { 'content-type': 'application/xml', 'access-control-allow-origin': stack.baseUrl },
            body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
          });
          return;
        }
        await route.continue();
      },
    );
    await page.locator('#upload-list').setInputFiles({ name: 'lista.csv', mimeType: 'text/csv', buffer: Buffer.from(list) });
    await page.getByText('Il link di caricamento è scaduto (vale 15 minuti).').waitFor();
    expect(await page.getByTestId('upload-list-error').getAttribute('data-testid')).toBe('upload-list-error');
    await expectAccessible(page, 'expired link');
    await shot(page, '02-committente-link-expired');
    expect(refusedOnce).toBe(true);
    await page.unrouteAll();
    await page.getByRole('button', { name: 'Rinnova il link e riprova' }).click();
    await page.getByTestId('decision-notice').filter({ hasText: 'Lista caricata.' }).waitFor();
    const progress = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(progress.at(-1)).toBe(100);

    // Once the list is recorded, the pre-filled attestation carries its hash and rows (the page says so by itself).
    await page.getByText('La dichiarazione precompilata riporta questo intake').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica la dichiarazione precompilata' }).click()]);
    const template = (await readPdfText(new Uint8Array(await readFile((await download.path())!)))).text;
    expect(template).toContain(sha256(list));

    // The signed attestation with the keyboard only: Tab past the file input (reachable, labelled) to the drop zone,
    // a button: Enter opens the picker.
    const signed = Buffer.from(await boundAttestation(released, list, 9));
    await tabTo(page, 'upload-attestation');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).labels?.[0]?.textContent)).toBe('Scegli la dichiarazione firmata (PDF o .p7m)');
    await tabTo(page, 'upload-attestation-drop', 3);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles({ name: 'dichiarazione-firmata.pdf', mimeType: 'application/pdf', buffer: signed });

    // The verdict arrives by itself: the status moves on and the page follows it, same document.
    await page.locator('#summary [data-status="RELEASED"]').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('verdict').textContent()).toBe('approvato');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: string }).sameDocument)).toBe('yes');
    expect(await page.getByTestId('decision-notice').textContent()).toBe('Stato aggiornato: Consegnato.');
    expect((await api('GET', `/v1/intakes/${released}`, tokens.acme)).json.status).toBe('RELEASED');
    await expectAccessible(page, 'intake released');
    await shot(page, '03-committente-verdict');

    // English one click away.
    await page.getByTestId('language').click();
    await page.getByRole('heading', { level: 2, name: 'Findings' }).waitFor();
    await expectAccessible(page, 'intake released (English)');
    await page.getByTestId('language').click();
    await page.getByRole('heading', { level: 2, name: 'Rilievi' }).waitFor();
    // The one error: the browser's own log line for the refusal this test arranged.
    const arranged = (line: string) => line.includes('status of 403') && line.includes('/list.csv?');
    expect(reported.filter(arranged)).toHaveLength(1);
    expect(reported.filter((line) => !arranged(line))).toEqual([]);
    await page.context().close();
  });

  it('a committente drops a list on the drop zone, and reads what to do about each finding of a rejection', { timeout: 180_000 }, async () => {
    const { page, reported } = await newPage();
    await signInWithToken(page, tokens.acme);

    // Drag and drop onto the drop zone.
    const opened = await api('POST', '/v1/intakes', tokens.acme, { callCenter: 'cc-roma', campaign: 'Trascinata' });
    await page.goto(`${stack.baseUrl}/#/intake/${opened.json.intakeId}`);
    const dropped = cleanList(4, 82);
    const transfer = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'trascinata.csv', { type: 'text/csv' }));
      return data;
    }, dropped);
    await page.getByTestId('drop-list').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByTestId('decision-notice').filter({ hasText: 'Lista caricata.' }).waitFor();
    await stack.settle();
    const documents = await api('GET', `/v1/intakes/${opened.json.intakeId}/documents`, tokens.acme);
    const listDoc = documents.json.documents.find((d: { kind: string }) => d.kind === 'list');
    expect(await (await fetch(listDoc.url)).text()).toBe(dropped);

    // A rejection (the attestation is bound to another list): each finding says what to do, in both languages.
    const other = cleanList(3, 83);
    const rejected = await api('POST', '/v1/intakes', tokens.acme, { callCenter: 'cc-napoli', campaign: 'Respinta' });
    const { intakeId, uploads } = rejected.json;
    for (const [link, body] of [
      [uploads.list, other],
      [uploads.attestation, await boundAttestation(intakeId, cleanList(3, 84), 3)],
    ] as const) {
      expect((await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit })).status).toBe(200);
    }
    await stack.settle();
    await page.goto(`${stack.baseUrl}/#/intake/${intakeId}`);
    const mismatch = page.locator('li.finding[data-code="list_hash_mismatch"]');
    await mismatch.waitFor();
    expect(await mismatch.locator('.finding-advice').textContent()).toContain('scarica la dichiarazione precompilata dopo aver caricato la lista');
    await expectAccessible(page, 'rejected intake');
    await shot(page, '04-committente-rejection-advice');
    await page.getByTestId('language').click();
    await page.getByRole('heading', { level: 2, name: 'Findings' }).waitFor();
    expect(await mismatch.locator('.finding-advice').textContent()).toContain('download the pre-filled attestation after uploading the list');
    expect(reported).toEqual([]);
    await page.context().close();
  });

  it('the call center downloads the list and the receipt, the hash is verified in the browser, and the audit trail shows the link issues', { timeout: 180_000 }, async () => {
    expect(released).not.toBe('');
    const { page, reported } = await newPage();
    // One release the API reports as expired, added to the real answer: the stack's clock cannot be moved 15 days.
    await page.route(
      (url) => url.pathname === '/v1/releases',
      async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { items: unknown[] };
        body.items.push({ intakeId: 'FIL-EXPIRED-0001', tenant: 'acme', campaign: 'Campagna scaduta', releasedAt: '2026-01-02T09:00:00.000Z', expiresAt: '2026-01-10T09:00:00.000Z', releasedRows: 5, expired: true });
        await route.fulfill({ response, json: body });
      },
    );
    await signInWithToken(page, tokens.napoli);
    await page.getByRole('heading', { level: 1, name: 'Consegne' }).waitFor();
    const item = page.locator(`li[data-release="${released}"]`);
    await item.waitFor();
    expect(await item.getByRole('heading', { level: 2 }).textContent()).toBe(CAMPAIGN);
    expect(await item.getByTestId('release-rows').textContent()).toBe('9');
    expect(await item.getByTestId('release-clock').textContent()).toMatch(/^Valida: scade tra \d+ (g|h)$/);
    const expired = page.locator('li[data-release="FIL-EXPIRED-0001"]');
    expect(await expired.getAttribute('data-expired')).toBe('true');
    expect(await expired.getByTestId('release-clock').textContent()).toBe('Scaduta');
    expect(await expired.getByRole('button').count()).toBe(0);
    await expectAccessible(page, 'releases');
    // Interception off again: with it, chromium sends Cache-Control: no-cache, which the local S3 engine refuses on a
    // presigned link that did not sign it (infra/local/engines/presigned.ts, stricter than S3).
    await page.unrouteAll();

    await item.getByRole('button', { name: 'Scarica lista e ricevuta' }).click();
    await item.getByTestId('hash-check').waitFor();
    expect(await item.getByTestId('hash-check').getAttribute('data-verified')).toBe('true');
    const [listDownload] = await Promise.all([page.waitForEvent('download'), item.getByTestId('save-list').click()]);
    const [receiptDownload] = await Promise.all([page.waitForEvent('download'), item.getByTestId('save-receipt').click()]);
    expect(listDownload.suggestedFilename()).toBe(`lista-${released}.csv`);
    const downloadedList = await readFile((await listDownload.path())!);
    const receipt = JSON.parse(await readFile((await receiptDownload.path())!, 'utf8'));
    expect(receipt.intakeId).toBe(released);
    expect(sha256(downloadedList)).toBe(receipt.released.sha256);
    expect(await item.textContent()).toContain(receipt.released.sha256);
    await expectAccessible(page, 'releases after download');
    await shot(page, '05-callcenter-releases');

    // Usable on a phone: nothing runs off the side at 375 px.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByTestId('language').click();
    await page.getByRole('heading', { level: 1, name: 'Releases' }).waitFor();
    await page.getByTestId('language').click();
    await page.getByRole('heading', { level: 1, name: 'Consegne' }).waitFor();
    await page.locator(`li[data-release="${released}"]`).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await expectAccessible(page, 'releases at 375 px');
    await shot(page, '06-callcenter-releases-375');

    // The intake's trail, as compliance reads it: the link issue recorded, by this call center.
    const audit = await api('GET', `/v1/intakes/${released}/audit`, tokens.compliance);
    const issues = audit.json.events.filter((e: { type: string }) => e.type === 'release.link_issued');
    expect(issues.length).toBe(1);
    expect(issues[0].actor).toContain('nadia');
    expect(audit.json.chain.valid).toBe(true);
    expect(reported).toEqual([]);
    await page.context().close();
  });
});
