import http from 'node:http';
import { verifyWebhook, type WebhookCheck } from '../../shared/events/signing.js';

/**
 * The webhook subscriber `npm run demo` runs on loopback (docs/events.md): it checks each delivery's signature
 * and timestamp as a subscriber must (docs/events.md), answers 204 to a valid one and 401 otherwise, and reports it.
 */
export interface ReceivedDelivery {
  check: WebhookCheck;
  eventId: string | undefined;
  event: { type?: string; subject?: string; data?: Record<string, unknown> } | null;
}

export interface DemoReceiver {
  received: ReceivedDelivery[];
  /** Resolves once nothing arrived for `quietMs`, or after `maxMs`. */
  settle(quietMs?: number, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startDemoReceiver(options: {
  port: number;
  path: string;
  secret: string;
  onDelivery: (delivery: ReceivedDelivery) => void;
}): Promise<DemoReceiver> {
  const received: ReceivedDelivery[] = [];
  let last = Date.now();
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== options.path) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 64 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const check: WebhookCheck = size > 64 * 1024 ? { valid: false, reason: 'malformed' } : verifyWebhook({ secret: options.secret, headers: req.headers, body, now: new Date() });
      let event: ReceivedDelivery['event'] = null;
      try {
        event = JSON.parse(body) as ReceivedDelivery['event'];
      } catch {
        event = null;
      }
      const header = req.headers['filiera-event-id'];
      const delivery = { check, eventId: Array.isArray(header) ? header[0] : header, event };
      received.push(delivery);
      last = Date.now();
      res.writeHead(check.valid ? 204 : 401).end();
      options.onDelivery(delivery);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    received,
    settle: async (quietMs = 1000, maxMs = 5000) => {
      const started = Date.now();
      while (Date.now() - last < quietMs && Date.now() - started < maxMs) await new Promise((r) => setTimeout(r, 100));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
