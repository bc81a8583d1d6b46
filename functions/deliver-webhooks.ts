import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { FetchWebhookSender } from '../shared/adapters/http/fetch-webhook-sender.js';
import { SqsDeliveryQueue } from '../shared/adapters/sqs/sqs-delivery-queue.js';
import type { LoadedConfig } from '../shared/config.js';
import { handleDeliveryMessage, type DeliveryDeps } from '../shared/events/delivery.js';
import type { DeliveryQueue, WebhookSender } from '../shared/ports/event-publisher.js';
import { lambdaDeps, type DepsSource } from './lib/deps-source.js';
import { parseEnvironment } from './lib/environment-wiring.js';
import { sqsBatchHandler } from './lib/sqs-batch.js';

/**
 * Webhook deliveries (docs/events.md): the EventBridge rule puts each event on the delivery queue; each
 * subscriber gets its attempt, and a failed one comes back through the same queue, delayed, until it succeeds or the
 * 24 hours are over (then `webhook.undelivered` on the intake's trail). The use case is the embedded stack's.
 */
export interface DeliveryWiring {
  sender: WebhookSender;
  queue: DeliveryQueue;
  /** The subscribers' secrets by webhook id: the functions read no files, so in AWS they live in Secrets Manager. */
  secrets: () => Promise<Record<string, string>>;
}

const Environment = z.object({
  DELIVERY_QUEUE_URL: z.string().url(),
  /** A Secrets Manager secret holding `{ "<webhook id>": "<secret>" }`. */
  WEBHOOK_SECRETS_SECRET: z.string().min(1),
  AWS_REGION: z.string().optional(),
});

export function awsDeliveryWiring(env: Record<string, string | undefined>): DeliveryWiring {
  let wiring: DeliveryWiring | undefined;
  const build = () => {
    const e = parseEnvironment(Environment, env);
    const region = e.AWS_REGION ?? 'eu-south-1';
    const secretsClient = new SecretsManagerClient({ region });
    let secrets: Promise<Record<string, string>> | undefined;
    return {
      sender: new FetchWebhookSender(),
      queue: new SqsDeliveryQueue(new SQSClient({ region }), e.DELIVERY_QUEUE_URL),
      secrets: () =>
        (secrets ??= secretsClient.send(new GetSecretValueCommand({ SecretId: e.WEBHOOK_SECRETS_SECRET })).then((out) =>
          z.record(z.string(), z.string().min(16)).parse(JSON.parse(out.SecretString ?? '{}')),
        ).catch((err: unknown) => {
          secrets = undefined;
          throw err;
        })),
    };
  };
  // Built on first use, so that importing the module (tests, bundling checks) needs no environment.
  return {
    sender: { post: (...a) => (wiring ??= build()).sender.post(...a) },
    queue: { schedule: (...a) => (wiring ??= build()).queue.schedule(...a) },
    secrets: () => (wiring ??= build()).secrets(),
  };
}

/** The wiring is given, never defaulted: only the Lambda entry below builds AWS clients. */
export const createHandler = (depsSource: DepsSource, wiring: DeliveryWiring) =>
  sqsBatchHandler(depsSource, async (message, deps) => {
    const delivery: DeliveryDeps = {
      config: async (): Promise<LoadedConfig> => {
        const loaded = await deps.config();
        return { ...loaded, webhookSecrets: { ...(await wiring.secrets()), ...(loaded.webhookSecrets ?? {}) } };
      },
      intakes: deps.intakes,
      sender: wiring.sender,
      queue: wiring.queue,
      now: deps.now,
      log: deps.log,
    };
    const outcome = await handleDeliveryMessage(delivery, message.body);
    deps.log.info('webhook message handled', { messageId: message.messageId, outcome: outcome === 'waiting' ? outcome : outcome.map((o) => o.outcome) });
  });

export const handler = createHandler(lambdaDeps(), awsDeliveryWiring(process.env));
