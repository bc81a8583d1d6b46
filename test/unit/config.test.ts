import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, policyFor } from '../../shared/config.js';

const minimal = {
  tenants: [{ id: 'acme', name: 'Acme', vat: 'IT01234567897', callCenters: ['cc-napoli'] }],
  callCenters: [{ id: 'cc-napoli', name: 'Contact Napoli' }],
};

describe('configuration', () => {
  it('fills every policy default of Filiera specification §6', () => {
    const config = parseConfig(minimal);
    expect(config.policy).toEqual({
      rpoMaxAgeDays: 15,
      attestationMaxAgeDays: 30,
      maxExcludedRatio: 0.05,
      minFieldConfidence: 0.9,
      allowedLegalBases: ['consent'],
      maxListBytes: 1073741824,
      requireConsentDate: false,
      consentSampleSize: 59,
      consentEvidenceHours: 72,
      requireRevocationStatus: false,
      requireQualified: false,
    });
  });

  it('applies per-tenant overrides on top of the global policy', () => {
    const config = parseConfig({
      ...minimal,
      tenants: [{ ...minimal.tenants[0], policy: { maxExcludedRatio: 0.2 } }],
    });
    expect(policyFor(config, 'acme').maxExcludedRatio).toBe(0.2);
    expect(policyFor(config, 'acme').rpoMaxAgeDays).toBe(15);
  });

  it.each([
    [{ ...minimal, tenants: [{ ...minimal.tenants[0], vat: '123' }] }, 'tenants.0.vat'],
    [{ ...minimal, tenants: [{ ...minimal.tenants[0], callCenters: ['nowhere'] }] }, 'tenants.0.callCenters.0: unknown call center'],
    [{ ...minimal, policy: { maxExcludedRatio: 2 } }, 'policy.maxExcludedRatio'],
    [{ callCenters: [] }, 'tenants'],
  ])('refuses an invalid file naming the field at fault (%#)', (json, expected) => {
    expect(() => parseConfig(json, 'x.json')).toThrow(ConfigError);
    expect(() => parseConfig(json, 'x.json')).toThrow(expected);
  });

  it('loads the demo configuration, which ships no trust anchor (the demo CA is made per data folder: config/README.md)', async () => {
    const loaded = await loadConfig('config/demo.json');
    expect(loaded.config.tenants[0]?.id).toBe('acme');
    expect(loaded.trustAnchorPems).toEqual([]);
  });
});
