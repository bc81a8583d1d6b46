import { afterEach, describe, expect, it } from 'vitest';
import { credentialsTreatedAsExpired, defaultProvider } from '../../functions/lib/lambda-credentials.js';

/** The Lambda bundles' credential provider (an esbuild alias for @aws-sdk/credential-provider-node). */
const saved = { ...process.env };
afterEach(() => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('lambda credentials', () => {
  it("reads the execution role's credentials from the environment, as Lambda sets them", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIALAMBDAROLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIALAMBDAROLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it("fails with the SDK's CredentialsProviderError when the environment has none", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  });

  it('treats credentials as expired five minutes before their expiration, never when they carry none', () => {
    const base = { accessKeyId: 'a', secretAccessKey: 'b' };
    expect(credentialsTreatedAsExpired(base)).toBe(false);
    expect(credentialsTreatedAsExpired({ ...base, expiration: new Date(Date.now() + 60_000) })).toBe(true);
    expect(credentialsTreatedAsExpired({ ...base, expiration: new Date(Date.now() + 3_600_000) })).toBe(false);
  });
});
