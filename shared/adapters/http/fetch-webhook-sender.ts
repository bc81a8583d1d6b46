import type { WebhookSender } from '../../ports/event-publisher.js';

/**
 * Webhook POSTs with Node's fetch. A subscriber that does not answer within the time-out counts as a failed attempt
 * (retried); redirects are not followed, so a delivery goes only to the URL configured.
 */
export class FetchWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = 10_000) {}

  async post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number } | { error: string }> {
    try {
      const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { error: cause ?? (err as Error).name ?? String(err) };
    }
  }
}
