import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, pollUntil } from '../../../web/src/poll.js';

describe('waiting for a verdict: poll with backoff', () => {
  it('waits 1 s, then 1.5 times longer each read, never over 15 s', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n))).toEqual([1000, 1500, 2250, 3375]);
    expect(backoffDelay(20)).toBe(DEFAULT_BACKOFF.maxMs);
    const delays = Array.from({ length: 30 }, (_, n) => backoffDelay(n));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
  });

  it('reads until the status changes, sleeping the backoff between reads (injected clock), and reports each value', async () => {
    const statuses = ['PROCESSING', 'PROCESSING', 'PROCESSING', 'RELEASED'];
    const slept: number[] = [];
    const seen: string[] = [];
    const result = await pollUntil({
      read: async () => statuses.shift()!,
      done: (s) => s !== 'PROCESSING',
      onValue: (s) => seen.push(s),
      active: () => true,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(result).toBe('RELEASED');
    expect(slept).toEqual([1000, 1500, 2250, 3375]);
    expect(seen).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING']);
  });

  it('stops when the page is left, and retries a failed read only when told to', async () => {
    let reads = 0;
    let shown = true;
    const left = await pollUntil({
      read: async () => (++reads === 2 ? ((shown = false), 'x') : 'x'),
      done: () => false,
      active: () => shown,
      sleep: async () => {},
    });
    expect(left).toBeUndefined();
    expect(reads).toBe(2);

    let attempts = 0;
    const flaky = () => pollUntil({ read: async () => (++attempts < 3 ? Promise.reject(new Error('503')) : 'IN_REVIEW'), done: () => true, active: () => true, sleep: async () => {}, retryErrors: true });
    expect(await flaky()).toBe('IN_REVIEW');
    await expect(pollUntil({ read: () => Promise.reject(new Error('503')), done: () => true, active: () => true, sleep: async () => {} })).rejects.toThrow('503');
  });
});
