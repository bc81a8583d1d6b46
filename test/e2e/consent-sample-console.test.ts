import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundAttestation, cleanList, startTestStack, type TestStack } from '../fixtures/stack.js';
import { launchChromium } from '../fixtures/browser.js';

/**
 * The consent sample in the web console (docs/consent-sampling.md), in a real browser against the embedded stack: the
 * committente sees the sample to answer, downloads it, uploads the filled-in evidence from the same page and sees
 * each row's outcome arrive without reloading; compliance sees the
 * sample table with the defects on the intake's page, where the review is decided. Screenshots go to
 * test-results/console/.
 */
const SHOTS = path.resolve('test-results/console');

let stack: TestStack;
let browser: Browser;
let intakeId: string;
let acme: string;
let compliance: string;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startTestStack({ policy: { consentSampleSize: 10 } });
  stack.console.warm();
  acme = await stack.token({ role: 'committente', tenant: 'acme', sub: 'alice' });
  compliance = await stack.token({ role: 'compliance', sub: 'carla' });
  const list = cleanList(15, 81);
  const created = await (
    await fetch(`${stack.baseUrl}/v1/intakes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme}`, 'content-type': 'application/json' },
      body: JSON.stringify({ callCenter: 'cc-napoli', campaign: 'Campione E2E' }),
    })
  ).json();
  intakeId = created.intakeId;
  for (const [link, body] of [
    [created.uploads.list, list],
    [created.uploads.attestation, await boundAttestation(intakeId, list, 15)],
  ] as const) {
    expect((await fetch(link.url, { method: link.method, headers: link.headers, body: body as BodyInit })).status).toBe(200);
  }
  await stack.settle();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

async function signedIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'it-IT' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${stack.baseUrl}/`);
  await page.getByLabel('Token bearer').first().fill(token);
  await page.getByRole('button', { name: 'Accedi con il token' }).click();
  await page.getByTestId('who').waitFor();
  return page;
}

/** The downloaded sample filled in; the first sampled row's consent came from a private address (one defect in 10: review). */
async function filledSample(): Promise<string> {
  const response = await fetch(`${stack.baseUrl}/v1/intakes/${intakeId}/consent-sample?format=csv`, { headers: { authorization: `Bearer ${acme}` } });
  const [header, ...rows] = (await response.text()).trimEnd().split('\r\n');
  const filled = rows.map((line, i) =>
    line.replace(/;;;;;;$/, `;2026-03-15T10:00:00+01:00;${i === 0 ? '192.168.0.20' : '93.184.216.34'};https://www.acme-energia.it/offerte;INF-1;double_opt_in;2026-03-15T10:05:00+01:00`),
  );
  const dir = await mkdtemp(path.join(process.env.FILIERA_TEST_TMP ?? tmpdir(), 'filiera-console-evidence-'));
  const file = path.join(dir, 'prove.csv');
  await writeFile(file, `${[header, ...filled].join('\r\n')}\r\n`);
  return file;
}

describe('the consent sample in the console', () => {
  it('the committente downloads the sample from the intake page and sees each row checked; compliance sees the defects', async () => {
    // The committente: the sample awaiting its evidence, with the deadline and the upload form
    const page = await signedIn(acme);
    await page.goto(`${stack.baseUrl}/#/intake/${intakeId}`);
    await page.locator('#consent-sample').waitFor();
    expect(await page.getByTestId('sample-state').textContent()).toMatch(/Sono state estratte 10 righe/);
    expect(await page.locator('[data-testid="sample-table"] tbody tr').count()).toBe(10);
    await page.screenshot({ path: path.join(SHOTS, 'sample-01-awaiting.png'), fullPage: true });

    // The sample to fill in downloads from the page; the filled-in file goes up from the same page (its file input),
    // and the verdict arrives without a reload
    expect(await page.getByTestId('sample-answer').textContent()).toContain(`filiera submit --intake ${intakeId} --evidence FILE`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica il campione (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`campione-consensi-${intakeId}.csv`);
    await page.evaluate(() => document.body.setAttribute('data-not-reloaded', 'yes'));
    await page.getByLabel('Scegli il file delle prove (CSV compilato)').setInputFiles(await filledSample());
    await page.locator('#summary [data-status="IN_REVIEW"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="sample-defects"]').waitFor();
    expect(await page.evaluate(() => document.body.getAttribute('data-not-reloaded'))).toBe('yes');

    // Assess: in review, each row's checks shown, the defective row named
    expect(await page.locator('#summary [data-status]').getAttribute('data-status')).toBe('IN_REVIEW');
    expect(await page.getByTestId('sample-state').textContent()).toMatch(/da rivedere; righe con difetti: 1 su 10/);
    expect(await page.locator('[data-testid="sample-table"] td.check-failed').count()).toBe(1);
    expect(await page.locator('[data-testid="sample-defects"] li').count()).toBe(1);
    expect(await page.getByTestId('sample-answer').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'sample-02-checked.png'), fullPage: true });

    // Compliance: the same table and defects beside the decision
    const officer = await signedIn(compliance);
    await officer.goto(`${stack.baseUrl}/#/intake/${intakeId}`);
    await officer.locator('[data-testid="sample-defects"]').waitFor();
    expect(await officer.locator('[data-testid="sample-defects"] li code').textContent()).toBe('public_ip');
    expect(await officer.getByTestId('sample-answer').count()).toBe(0);
    await officer.screenshot({ path: path.join(SHOTS, 'sample-03-compliance.png'), fullPage: true });
  });
});
