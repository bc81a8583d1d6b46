import { describe, expect, it } from 'vitest';

import { parseInstant } from '../../../shared/consent/instant.js';

describe('evidence instants (ISO 8601 with time and offset)', () => {
  it.each([
    ['2026-03-14T10:05:00+01:00', '2026-03-14T09:05:00.000Z', '2026-03-14'],
    ['2026-03-14T10:05+01:00', '2026-03-14T09:05:00.000Z', '2026-03-14'],
    ['2026-03-14 10:05:30.25+0100', '2026-03-14T09:05:30.250Z', '2026-03-14'],
    ['2026-03-14T23:30:00Z', '2026-03-14T23:30:00.000Z', '2026-03-15'], // past midnight in Rome (UTC+1)
    ['2026-07-14T22:30:00Z', '2026-07-14T22:30:00.000Z', '2026-07-15'], // summer time: UTC+2
    ['2026-07-14T21:59:59Z', '2026-07-14T21:59:59.000Z', '2026-07-14'],
    ['2026-03-14T01:00:00-05:00', '2026-03-14T06:00:00.000Z', '2026-03-14'],
    ['2024-02-29T12:00:00+01', '2024-02-29T11:00:00.000Z', '2024-02-29'],
    ['2026-03-14t10:05:00z', '2026-03-14T10:05:00.000Z', '2026-03-14'],
  ])('%s is %s, %s in Rome', (text, iso, romeDay) => {
    const instant = parseInstant(text);
    expect(instant).not.toBeNull();
    expect(new Date(instant!.epochMs).toISOString()).toBe(iso);
    expect(instant!.romeDay).toBe(romeDay);
    expect(instant!.text).toBe(text);
  });

  it.each([
    '2026-03-14T10:05:00', // no offset: which day in Rome?
    '2026-03-14',
    '14/03/2026 10:05',
    '2026-02-30T10:00:00Z',
    '2025-02-29T10:00:00Z',
    '2026-03-14T24:00:00Z',
    '2026-03-14T10:60:00Z',
    '2026-03-14T10:05:00+25:00',
    '2026-03-14T10:05:00 +01:00',
    'yesterday',
    '',
  ])('%j is refused', (text) => {
    expect(parseInstant(text)).toBeNull();
  });
});
