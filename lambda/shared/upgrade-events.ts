import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UPGRADE_EVENT_SOURCE } from '../../lib/private/upgrade-telemetry';

/**
 * The EventBridge events the library sends to the default event bus (docs/operations.md "Events").
 * Source and detail-types are a contract with the operators' rules: never rename them.
 */
export { UPGRADE_EVENT_SOURCE };

export const UPGRADE_DETAIL_TYPES = {
  stageStarted: 'Upgrade Stage Started',
  stageEnded: 'Upgrade Stage Ended',
  approvalRequested: 'Upgrade Approval Requested',
} as const;

export type UpgradeDetailType = typeof UPGRADE_DETAIL_TYPES[keyof typeof UPGRADE_DETAIL_TYPES];

/** Every event's detail names its execution and carries an id a consumer can deduplicate on (delivery is at least once). */
export interface UpgradeEventDetail {
  readonly eventKey: string;
  readonly executionArn: string;
  readonly [field: string]: unknown;
}

/** Thrown when EventBridge did not take an event (its error code is in the message). */
export class UpgradeEventNotSentError extends Error {
  public readonly name = 'UpgradeEventNotSentError';
}

/**
 * Sends the events in one PutEvents call (at most 10 entries each, EventBridge's limit); throws
 * UpgradeEventNotSentError naming the first entry EventBridge refused.
 */
export async function putUpgradeEvents(
  client: EventBridgeClient,
  events: ReadonlyArray<{ readonly detailType: UpgradeDetailType; readonly detail: UpgradeEventDetail; readonly time?: Date }>,
): Promise<number> {
  for (let i = 0; i < events.length; i += 10) {
    const batch = events.slice(i, i + 10);
    const out = await client.send(new PutEventsCommand({
      Entries: batch.map((e) => ({
        Source: UPGRADE_EVENT_SOURCE,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        Resources: [e.detail.executionArn],
        ...(e.time && { Time: e.time }),
      })),
    }));
    const refused = (out.Entries ?? []).findIndex((entry) => entry.ErrorCode);
    if ((out.FailedEntryCount ?? 0) > 0 || refused >= 0) {
      const entry = out.Entries?.[refused];
      throw new UpgradeEventNotSentError(
        `EventBridge refused ${out.FailedEntryCount ?? 1} of ${batch.length} events, first ${batch[Math.max(refused, 0)].detail.eventKey}: ${entry?.ErrorCode ?? '?'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }
  return events.length;
}
