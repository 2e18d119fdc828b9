import { gunzipSync } from 'node:zlib';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { UPGRADE_METRICS } from '../../lib/private/upgrade-telemetry';
import { emitMetric } from '../shared/emf';
import { InvalidInputError } from '../shared/errors';
import { show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { UPGRADE_DETAIL_TYPES, UpgradeDetailType, UpgradeEventDetail, putUpgradeEvents } from '../shared/upgrade-events';

export interface StageEventsDeps {
  readonly events: EventBridgeClient;
  readonly log: Logger;
}

/** What CloudWatch Logs hands a subscription's Lambda: base64 of the gzipped batch. */
export interface StageEventsInput {
  readonly awslogs: { readonly data: string };
}

export interface StageEventsOutput {
  /** Log events in the batch. */
  readonly read: number;
  /** Events sent to EventBridge. */
  readonly sent: number;
}

/** One Step Functions execution log event (log level ALL, execution data included). */
interface ExecutionLogEvent {
  readonly type?: string;
  readonly execution_arn?: string;
  readonly event_timestamp?: string;
  readonly details?: { readonly name?: string; readonly output?: string; readonly outputDetails?: { readonly truncated?: boolean } };
}

/** A stage record UpgradeStage's begin and done states write. */
interface StageRecord {
  readonly key?: string;
  readonly name?: string;
  readonly seedStep?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
}

const BEGIN = ': begin';
const DONE = ': done';

/**
 * Turns the state machine's execution log into stage events: every `<stage>: begin` and `<stage>: done`
 * Pass state of an UpgradeStage (seen as PassStateExited, with its output) becomes an
 * "Upgrade Stage Started" / "Upgrade Stage Ended" event on the default bus, and each ended stage's
 * duration a StageDuration metric (EMF, in this function's log). The states stay Pass states: no state
 * transition, no task and no failure of the upgrade come from the events. A batch delivered twice sends
 * its events twice, with the same `eventKey`.
 */
export async function logic(deps: StageEventsDeps, input: StageEventsInput): Promise<StageEventsOutput> {
  const batch = decode(input);
  if (batch.messageType !== 'DATA_MESSAGE') return { read: 0, sent: 0 };
  const out: Array<{ detailType: UpgradeDetailType; detail: UpgradeEventDetail; time: Date }> = [];
  for (const logEvent of batch.logEvents ?? []) {
    const event = parse(logEvent.message);
    const stage = event && stageEvent(event);
    if (!stage) continue;
    out.push(stage);
    if (stage.detailType === UPGRADE_DETAIL_TYPES.stageEnded && typeof stage.detail.durationSeconds === 'number') {
      emitMetric(deps.log, UPGRADE_METRICS.stageDuration, stage.detail.durationSeconds, 'Seconds', {
        [UPGRADE_METRICS.stateMachineDimension]: stateMachineName(stage.detail.executionArn),
        [UPGRADE_METRICS.stageDimension]: String((stage.detail.stage as StageRecord).key ?? (stage.detail.stage as StageRecord).name),
      }, { executionArn: stage.detail.executionArn }, stage.time);
    }
  }
  const sent = await putUpgradeEvents(deps.events, out);
  deps.log.info('stage events sent', { read: batch.logEvents?.length ?? 0, sent, keys: out.map((e) => e.detail.eventKey) });
  return { read: batch.logEvents?.length ?? 0, sent };
}

function decode(input: StageEventsInput): { messageType?: string; logEvents?: Array<{ message: string }> } {
  const data = (input as Partial<StageEventsInput> | undefined)?.awslogs?.data;
  if (typeof data !== 'string' || data.length === 0) {
    throw new InvalidInputError(`awslogs.data must be the base64 gzipped batch of a CloudWatch Logs subscription, got ${show(data)}`);
  }
  try {
    return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
  } catch (err) {
    throw new InvalidInputError(`awslogs.data is not a gzipped JSON batch (${(err as Error).message}), got ${show(data)}`);
  }
}

function parse(message: string): ExecutionLogEvent | undefined {
  try {
    const event = JSON.parse(message) as ExecutionLogEvent;
    return event?.type === 'PassStateExited' ? event : undefined;
  } catch {
    return undefined;
  }
}

/** The stage event a begin or done state's exit stands for, or undefined for any other Pass state. */
function stageEvent(event: ExecutionLogEvent): { detailType: UpgradeDetailType; detail: UpgradeEventDetail; time: Date } | undefined {
  const stateName = event.details?.name ?? '';
  const executionArn = event.execution_arn ?? '';
  const begins = stateName.endsWith(BEGIN);
  if (!executionArn || (!begins && !stateName.endsWith(DONE))) return undefined;
  const title = stateName.slice(0, -(begins ? BEGIN : DONE).length);
  const output = outputOf(event);
  const time = new Date(Number(event.event_timestamp) || Date.now());
  if (begins) {
    const record = output?.progress?.current;
    // A Pass named "...: begin" that is not an UpgradeStage's (its record names another stage): not a stage.
    if (output && record?.name !== title) return undefined;
    const stage = { key: record?.key, name: title, seedStep: record?.seedStep };
    return {
      detailType: UPGRADE_DETAIL_TYPES.stageStarted, time,
      detail: { eventKey: `${executionArn}#${stage.key ?? title}#started`, executionArn, stateMachineArn: stateMachineArnOf(executionArn), stage, startedAt: record?.startedAt ?? time.toISOString() },
    };
  }
  const completed = Object.entries(output?.progress?.completed ?? {}).find(([, r]) => r?.name === title);
  if (output && !completed) return undefined;
  const [key, record] = completed ?? [undefined, undefined];
  const durationSeconds = record?.startedAt && record.endedAt ? (Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000 : undefined;
  return {
    detailType: UPGRADE_DETAIL_TYPES.stageEnded, time,
    detail: {
      eventKey: `${executionArn}#${key ?? title}#ended`, executionArn, stateMachineArn: stateMachineArnOf(executionArn),
      stage: { key, name: title, seedStep: record?.seedStep }, outcome: 'succeeded',
      startedAt: record?.startedAt, endedAt: record?.endedAt ?? time.toISOString(),
      ...(durationSeconds !== undefined && Number.isFinite(durationSeconds) && { durationSeconds }),
    },
  };
}

/** The state's output, or undefined when the log truncated it (over 256 KiB): the event then carries the stage's title only. */
function outputOf(event: ExecutionLogEvent): { progress?: { current?: StageRecord; completed?: Record<string, StageRecord> } } | undefined {
  if (event.details?.outputDetails?.truncated || typeof event.details?.output !== 'string') return undefined;
  try {
    return JSON.parse(event.details.output);
  } catch {
    return undefined;
  }
}

/** arn:aws:states:<region>:<account>:execution:<machine>:<name> -> the state machine's ARN. */
function stateMachineArnOf(executionArn: string): string {
  const parts = executionArn.split(':');
  return parts.length >= 8 ? [...parts.slice(0, 5), 'stateMachine', parts[6]].join(':') : '';
}

function stateMachineName(executionArn: string): string {
  return executionArn.split(':')[6] ?? '';
}
