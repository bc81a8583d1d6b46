import { PutEventsCommand, type EventBridgeClient, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import type { FilieraEvent } from '../../events/event.js';
import type { EventPublisher } from '../../ports/event-publisher.js';

/**
 * Events to an Amazon EventBridge bus (docs/events.md). The entry's Source is the event's `source`, its
 * DetailType the CloudEvents `type`, its Detail the whole CloudEvent: a rule matches on source and detail-type, and
 * the webhook delivery reads the event back from `detail`.
 */
export function putEventsInput(busName: string, event: FilieraEvent): PutEventsCommandInput {
  return {
    Entries: [
      {
        EventBusName: busName,
        Source: event.source,
        DetailType: event.type,
        Detail: JSON.stringify(event),
        Time: new Date(event.time),
        Resources: [],
      },
    ],
  };
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly busName: string,
    readonly deployment: string,
  ) {}

  async publish(event: FilieraEvent): Promise<void> {
    const out = await this.client.send(new PutEventsCommand(putEventsInput(this.busName, event)));
    // PutEvents answers 200 with per-entry failures: an entry refused is an event not published.
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new Error(`EventBridge refused event ${event.id}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }
}
