import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_START_TIMEOUT_MS } from '../fixtures/engines.js';
import { startTestStack, type TestStack } from '../fixtures/stack.js';
import { launchChromium } from '../fixtures/browser.js';

/**
 * `/local/demo-users` in a real browser (Debian's chromium): the console's own page gets the demo tokens with the
 * headers Chromium really sends, and another site's page that asks for them is refused by the server itself (not
 * only by CORS, which would still let a no-cors request through to the server).
 */
let stack: TestStack;
let browser: Browser;
let otherSite: http.Server;

beforeAll(async () => {
  stack = await startTestStack();
  otherSite = http.createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, ENGINE_START_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => otherSite?.close(resolve));
  await stack?.dispose();
});

describe('demo tokens in the browser', () => {
  it("are given to the console's own page", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/`);
    const answer = await page.evaluate(async () => {
      const response = await fetch('/local/demo-users', { headers: { accept: 'application/json' } });
      return { status: response.status, users: ((await response.json()) as { users: { token: string }[] }).users.length };
    });
    expect(answer.status).toBe(200);
    expect(answer.users).toBeGreaterThan(0);
    await page.close();
  });

  it("are refused to another site's page, at the server", async () => {
    const page = await browser.newPage();
    const statuses: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/local/demo-users')) statuses.push(response.status());
    });
    // localhost:PORT is another site than 127.0.0.1:PORT to the browser; the server accepts both as its Host.
    const port = (otherSite.address() as AddressInfo).port;
    await page.goto(`http://localhost:${port}/`);
    const target = `${stack.baseUrl}/local/demo-users`;
    await page.evaluate(async (url) => {
      await fetch(url, { mode: 'no-cors' }).catch(() => undefined);
      await fetch(url).catch(() => undefined);
    }, target);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 403)).toBe(true);
    await page.close();
  });
});
