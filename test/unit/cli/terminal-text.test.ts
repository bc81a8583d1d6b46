import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../../bin/api-client.js';
import { runCli } from '../../../bin/cli.js';
import { terminalSafe, terminalSafeDeep, terminalSafeLines } from '../../../bin/terminal-text.js';

/**
 * A committente writes the campaign name, the attestation's text, a reviewer the justification: the CLI prints
 * them without letting any of it drive the terminal.
 */
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('terminal-safe text', () => {
  it.each([
    ['colours', 'Promo \u001b[31;1mURGENT\u001b[0m', 'Promo URGENT'],
    ['clear screen and cursor home', '\u001b[2J\u001b[HApproved', 'Approved'],
    ['a window title (OSC ended by BEL)', '\u001b]0;pwned\u0007Estate', 'Estate'],
    ['a hyperlink (OSC ended by ST)', '\u001b]8;;http://evil.example\u001b\\clicca\u001b]8;;\u001b\\', 'clicca'],
    ['the 8-bit CSI', 'a\u009b2Jb', 'ab'],
    ['a carriage return that overwrites the line', 'rejected\r  approved', 'rejected   approved'],
    ['a newline that forges a line', 'Estate\n  verdict  approved', 'Estate   verdict  approved'],
    ['NUL, BEL, backspace and DEL', 'a\u0000b\u0007c\u0008d\u007fe', 'abcde'],
    ['bidirectional overrides and isolates', 'abc\u202egnp.exe\u202c \u2066x\u2069', 'abcgnp.exe x'],
  ])('removes %s', (_label, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('keeps ordinary text whole: accents, the euro, quotes, emoji', () => {
    const text = 'Offerte luce & gas «Estate 2026» — 10 € di sconto, perché sì 🙂';
    expect(terminalSafe(text)).toBe(text);
  });

  it('leaves no control character in any text, and changes none without one (fuzzed)', () => {
    const anyCharacter = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
    const hostile = fc.string({ unit: fc.oneof(fc.constantFrom('\u001b', '\u009b', '\u009d', '\u0007', '[', ']', ';', '\\', '\n', '\r', '\u202e', '\u2066'), anyCharacter), maxLength: 80 });
    fc.assert(
      fc.property(hostile, (text) => {
        const safe = terminalSafe(text);
        expect(safe).not.toMatch(ANY_CONTROL);
        expect(safe).not.toMatch(/[\n\r\t]/);
        expect(terminalSafe(safe)).toBe(safe);
      }),
    );
    const plain = fc.string({ unit: anyCharacter.filter((c) => !/[\u0000-\u001f\u007f-\u009f\u0085\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(c)) });
    fc.assert(fc.property(plain, (text) => terminalSafe(text) === text));
  });

  it('cleans every string of a JSON value, keys included, and leaves numbers and booleans', () => {
    expect(terminalSafeDeep({ campaign: 'x\u001b[2Jy', 'k\u0007': [1, true, null, { m: 'a\nb' }] })).toEqual({ campaign: 'xy', k: [1, true, null, { m: 'a b' }] });
  });

  it("keeps the CLI's own line breaks in laid-out output", () => {
    expect(terminalSafeLines('line one \u001b[31mred\u001b[0m\nline two\r\n')).toBe('line one red\nline two \n');
  });
});

describe('the CLI prints API text terminal-safe', () => {
  const hostile = {
    intakeId: 'FIL-0000000001',
    tenant: 'acme',
    callCenter: 'cc-napoli',
    campaign: 'Estate\u001b[2J\u001b]0;owned\u0007\n  verdict  approved',
    status: 'REJECTED',
    createdAt: '2026-12-01T10:00:00Z',
    uploadDeadline: '2026-12-02T10:00:00Z',
    uploads: {},
    findings: [{ code: 'rpo_stale', severity: 'reject', message: 'RPO \u001b[32mok\u001b[0m\u009b1A' }],
    review: { decision: 'reject', reviewer: 'carla\u202e', justification: 'no\rYES' },
  };

  it('as the client hands it over', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(hostile), { status: 200, headers: { 'content-type': 'application/json' } }));
    const view = await new ApiClient('http://127.0.0.1:4510', 't').json<typeof hostile>('GET', '/v1/intakes/FIL-0000000001');
    expect(JSON.stringify(view)).not.toMatch(ANY_CONTROL);
    expect(view.campaign).toBe('Estate   verdict  approved');
  });

  it("in an API error's message", async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: 'x\u001b[1m', message: 'no such intake\u001b]0;t\u0007' }), { status: 404 }));
    const error = await new ApiClient('http://127.0.0.1:4510', 't').json('GET', '/v1/intakes/x').catch((err: ApiError) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('GET /v1/intakes/x: 404 no such intake');
  });

  it('on screen: filiera status prints the intake with no control character', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(hostile), { status: 200 }));
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    });
    expect(await runCli(['status', '--url', 'http://127.0.0.1:4510', '--token', 't', '--intake', 'FIL-0000000001'])).toBe(0);
    vi.mocked(process.stdout.write).mockRestore();
    expect(printed.replace(/\n/g, '')).not.toMatch(ANY_CONTROL);
    expect(printed).toContain('campaign "Estate   verdict  approved"');
    expect(printed.split('\n').filter((line) => line.trim().startsWith('verdict'))).toEqual([]);
    expect(printed).toContain('[reject] rpo_stale: RPO ok');
  });
});
