import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_START_TIMEOUT_MS } from '../../fixtures/engines.js';
import { startTestStack, type TestStack } from '../../fixtures/stack.js';

/**
 * The embedded API server against DNS rebinding and other sites' pages: every request must name the bound address
 * in `Host`, and the demo users' tokens go only to the console's own page.
 */
let stack: TestStack;
let port: string;
let token: string;

beforeAll(async () => {
  stack = await startTestStack();
  port = new URL(stack.baseUrl).port;
  token = await stack.token({ role: 'compliance', sub: 'carla' });
}, ENGINE_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.dispose();
});

/** A raw request: fetch cannot send a foreign Host. */
function request(target: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: target, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local API server', () => {
  it('answers 421 to any request under a foreign Host, a valid token notwithstanding', async () => {
    for (const target of ['/v1/intakes', '/openapi.json', '/', '/local/demo-users', '/console-config.json', '/nowhere']) {
      for (const host of [`attacker.example:${port}`, 'attacker.example', `127.0.0.1:${Number(port) + 1}`, `192.168.1.10:${port}`]) {
        const answer = await request(target, { host, authorization: `Bearer ${token}` });
        expect([target, host, answer.status], answer.body).toEqual([target, host, 421]);
        expect(answer.body).not.toContain('eyJ');
      }
    }
  });

  it('serves under the addresses it is bound to', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await request('/v1/intakes', { host, authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await request('/openapi.json', { host })).status).toBe(200);
    }
  });
});

describe('/local/demo-users', () => {
  const host = () => `127.0.0.1:${port}`;

  it("gives the tokens to the console's own page, and to a terminal", async () => {
    const ownPage = await request('/local/demo-users', { host: host(), 'sec-fetch-site': 'same-origin', origin: `http://${host()}` });
    expect(ownPage.status).toBe(200);
    expect((JSON.parse(ownPage.body) as { users: { token: string }[] }).users[0]?.token).toMatch(/^eyJ/);
    expect((await request('/local/demo-users', { host: host() })).status).toBe(200);
  });

  it("refuses another site's page, whatever it claims", async () => {
    const attempts: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site', origin: `http://${host()}` },
      { origin: 'http://attacker.example' },
      { 'sec-fetch-site': 'same-origin', origin: 'http://attacker.example' },
      { origin: 'null' },
    ];
    for (const headers of attempts) {
      const answer = await request('/local/demo-users', { host: host(), ...headers });
      expect([headers, answer.status]).toEqual([headers, 403]);
      expect(answer.body).not.toContain('eyJ');
    }
  });
});
