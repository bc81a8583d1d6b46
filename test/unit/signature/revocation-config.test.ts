/** docs/configuration.md: the revocation block of the configuration, and CRL files in DER or PEM. */
import { describe, expect, it } from 'vitest';
import { ConfigError, crlFromFile, parseConfig, policyFor } from '../../../shared/config.js';

const minimal = { tenants: [{ id: 'acme', name: 'Acme Energia S.p.A.', vat: 'IT01234567897' }] };

describe('revocation configuration', () => {
  it('defaults to no CRL files and no fetching', () => {
    expect(parseConfig(minimal).revocation).toEqual({ crls: [], fetch: false });
    expect(parseConfig(minimal).policy.requireRevocationStatus).toBe(false);
  });

  it('reads CRL file names and requireRevocationStatus', () => {
    const config = parseConfig({ ...minimal, revocation: { crls: ['crl/demo-ca.crl'] }, policy: { requireRevocationStatus: true } });
    expect(config.revocation.crls).toEqual(['crl/demo-ca.crl']);
    expect(config.policy.requireRevocationStatus).toBe(true);
  });

  it('accepts fetch: true (processing then asks responders and distribution points); refuses a non-boolean', () => {
    expect(parseConfig({ ...minimal, revocation: { fetch: true } }).revocation).toEqual({ crls: [], fetch: true });
    expect(() => parseConfig({ ...minimal, revocation: { fetch: 'yes' } })).toThrow(ConfigError);
  });
});

describe('crlFromFile', () => {
  const der = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01);
  it.each([
    ['DER', der, der],
    ['PEM', new TextEncoder().encode(`-----BEGIN X509 CRL-----\n${Buffer.from(der).toString('base64')}\n-----END X509 CRL-----\n`), der],
    ['a certificate PEM', new TextEncoder().encode(`-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`), null],
    ['text', new TextEncoder().encode('nome;telefono\n'), null],
  ])('%s', (_name, bytes, expected) => {
    expect(crlFromFile(bytes)).toEqual(expected);
  });
});

describe('requireQualified in the configuration', () => {
  const lists = { trustedLists: [{ file: 'tsl/IT_TSL.xml', signers: ['tsl/agid.pem'] }] };
  it('defaults to false without trusted lists, true once trusted lists are configured; an explicit false stands', () => {
    expect(parseConfig(minimal).policy.requireQualified).toBe(false);
    expect(parseConfig({ ...minimal, ...lists }).policy.requireQualified).toBe(true);
    expect(parseConfig({ ...minimal, ...lists, policy: { requireQualified: false } }).policy.requireQualified).toBe(false);
  });

  it('a tenant overriding another policy key keeps the global requireQualified (and the other global values)', () => {
    const config = parseConfig({
      ...lists,
      policy: { rpoMaxAgeDays: 10 },
      tenants: [{ ...minimal.tenants[0], policy: { maxExcludedRatio: 0.2 } }],
    });
    expect(policyFor(config, 'acme')).toMatchObject({ requireQualified: true, rpoMaxAgeDays: 10, maxExcludedRatio: 0.2 });
  });

  it('is refused without trusted lists, globally or for a tenant', () => {
    expect(() => parseConfig({ ...minimal, policy: { requireQualified: true } })).toThrow(/policy: requireQualified needs trustedLists/);
    expect(() => parseConfig({ tenants: [{ ...minimal.tenants[0], policy: { requireQualified: true } }] })).toThrow(/tenants\.acme\.policy: requireQualified needs trustedLists/);
  });
});
