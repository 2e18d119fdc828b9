import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireTopicArn } from '../shared/name-checks';

export interface PublishResultDeps {
  readonly sns: SNSClient;
  readonly log: Logger;
  readonly now?: () => Date;
}

/**
 * SUCCEEDED: upgraded. ROLLED_BACK: a failure undone, the cluster back where it started. STOPPED: a failure
 * ended a procedure that keeps what it completed (Neo4jRollingUpgrade NEW_MEMBER_FIRST: the servers replaced
 * before stay replaced, the others run the old image). FAILED, ABORTED: as the execution ended.
 */
export const OUTCOMES = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'STOPPED', 'ABORTED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface StageTiming {
  readonly name?: string;
  /** Display title, e.g. `Stage 1 Roll DockerImage`. */
  readonly title?: string;
  /** ISO 8601, e.g. from `$$.State.EnteredTime`. */
  readonly startedAt?: string;
  readonly endedAt?: string;
}

export interface PublishResultInput {
  readonly cluster: ClusterContext;
  /** `$$.Execution.Id` */
  readonly executionArn: string;
  readonly topicArn: string;
  readonly outcome: Outcome;
  /** `$$.Execution.StartTime` */
  readonly startedAt?: string;
  /** The plan from validate-input (only these fields are read). */
  readonly plan?: { readonly fromVersion?: string; readonly toVersion?: string; readonly dockerImage?: string; readonly comment?: string };
  /** Stage timestamps: name -> {startedAt, endedAt} (as Pass states write them under one key) or a list. */
  readonly stages?: Record<string, StageTiming> | StageTiming[];
  /**
   * The state machine's progress record (UpgradeStage fragments): `completed.<key>` = {name, startedAt,
   * endedAt}, `current` = the stage that began last, `pastPointOfNoReturn`. Used when `stages` is absent.
   */
  readonly progress?: {
    readonly pastPointOfNoReturn?: boolean;
    readonly current?: { readonly key?: string; readonly name?: string; readonly startedAt?: string };
    readonly completed?: Record<string, { readonly name?: string; readonly startedAt?: string; readonly endedAt?: string }>;
  };
  /** Snapshot and volume ids the execution produced (pre-upgrade snapshots!): carried into the result as given. */
  readonly snapshots?: unknown;
  readonly volumes?: unknown;
  /** What the procedure kept and where (e.g. a blue/green upgrade's stopped blue): carried into the result as given. */
  readonly retained?: unknown;
  /** The write freeze of a procedure that froze writes (its freeze, its thaw or the thaw's error): carried into the result as given. */
  readonly writeFreeze?: unknown;
  /** A caught error (`Error`, `Cause` as Step Functions gives them). */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

export interface StageResult {
  readonly name: string;
  readonly title?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Undefined when a timestamp is missing or unreadable. */
  readonly durationSeconds?: number;
}

export interface PublishResultOutput {
  readonly outcome: Outcome;
  readonly stackName: string;
  readonly executionArn: string;
  readonly fromVersion?: string;
  readonly toVersion?: string;
  readonly dockerImage?: string;
  readonly comment?: string;
  readonly startedAt?: string;
  readonly endedAt: string;
  readonly durationSeconds?: number;
  readonly stages: StageResult[];
  /** The stage that had begun but not finished (where a failure happened). */
  readonly unfinishedStage?: string;
  readonly pastPointOfNoReturn?: boolean;
  readonly error?: { readonly name: string; readonly message: string };
  readonly snapshots?: unknown;
  readonly volumes?: unknown;
  readonly retained?: unknown;
  readonly writeFreeze?: unknown;
  readonly messageId?: string;
}


/**
 * Publishes the final result (human-readable summary, then the same result as JSON) to SNS and returns
 * it. Runs on success and error paths alike, so unreadable stage timestamps never fail it: they leave
 * that duration out. On a standard topic a retried publish can send the result twice; on a FIFO topic
 * the deduplication id (execution + outcome) prevents that.
 */
export async function logic(deps: PublishResultDeps, input: PublishResultInput): Promise<PublishResultOutput> {
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
  const stackName = requireString(input?.cluster?.stackName, 'cluster.stackName');
  requireString(input.executionArn, 'executionArn');
  requireTopicArn(input.topicArn, 'topicArn');
  if (!OUTCOMES.includes(input.outcome)) {
    throw new InvalidInputError(`outcome must be one of ${OUTCOMES.join(', ')}, got ${show(input.outcome)}`);
  }
  const endedAt = (deps.now ?? (() => new Date()))().toISOString();
  const plan = input.plan ?? {};
  const error = input.error ? describeError(input.error) : undefined;
  const { stages, unfinished } = input.stages !== undefined
    ? { stages: stageResults(input.stages), unfinished: undefined }
    : fromProgress(input.progress);
  const result: PublishResultOutput = {
    outcome: input.outcome,
    stackName,
    executionArn: input.executionArn,
    ...(plan.fromVersion && { fromVersion: plan.fromVersion }),
    ...(plan.toVersion && { toVersion: plan.toVersion }),
    ...(plan.dockerImage && { dockerImage: plan.dockerImage }),
    ...(plan.comment && { comment: plan.comment }),
    ...(input.startedAt && { startedAt: input.startedAt }),
    endedAt,
    ...(seconds(input.startedAt, endedAt) !== undefined && { durationSeconds: seconds(input.startedAt, endedAt) }),
    stages,
    ...(unfinished && { unfinishedStage: unfinished }),
    ...(typeof input.progress?.pastPointOfNoReturn === 'boolean' && { pastPointOfNoReturn: input.progress.pastPointOfNoReturn }),
    ...(error && { error }),
    ...(input.snapshots !== undefined && input.snapshots !== null && { snapshots: input.snapshots }),
    ...(input.volumes !== undefined && input.volumes !== null && { volumes: input.volumes }),
    ...(input.retained !== undefined && input.retained !== null && { retained: input.retained }),
    ...(input.writeFreeze !== undefined && input.writeFreeze !== null && { writeFreeze: input.writeFreeze }),
  };
  const fifo = input.topicArn.endsWith('.fifo');
  const sent = await deps.sns.send(new PublishCommand({
    TopicArn: input.topicArn,
    Subject: `Neo4j upgrade ${input.outcome}: ${stackName}`.slice(0, 100),
    Message: message(result),
    ...(fifo && {
      MessageGroupId: stackName.slice(0, 128),
      MessageDeduplicationId: createHash('sha256').update(`${input.executionArn}|${input.outcome}`).digest('hex').slice(0, 128),
    }),
  }));
  deps.log.info('result published', { outcome: input.outcome, messageId: sent.MessageId });
  return { ...result, ...(sent.MessageId && { messageId: sent.MessageId }) };
}

function seconds(from: string | undefined, to: string | undefined): number | undefined {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  return Number.isNaN(a) || Number.isNaN(b) || b < a ? undefined : Math.round((b - a) / 1000);
}

function stageResults(stages: PublishResultInput['stages']): StageResult[] {
  if (stages === undefined || stages === null || typeof stages !== 'object') return [];
  const list: StageTiming[] = Array.isArray(stages)
    ? stages
    : Object.entries(stages).map(([name, t]) => ({ ...(typeof t === 'object' && t !== null ? t : {}), name }));
  const results = list.map((t, i) => {
    const startedAt = typeof t?.startedAt === 'string' ? t.startedAt : undefined;
    const endedAt = typeof t?.endedAt === 'string' ? t.endedAt : undefined;
    const durationSeconds = seconds(startedAt, endedAt);
    return {
      name: typeof t?.name === 'string' && t.name !== '' ? t.name : `stage-${i + 1}`,
      ...(typeof t?.title === 'string' && { title: t.title }),
      ...(startedAt && { startedAt }),
      ...(endedAt && { endedAt }),
      ...(durationSeconds !== undefined && { durationSeconds }),
    };
  });
  // In the order they ran; stages that never started keep their given order, last.
  const start = (r: StageResult) => (r.startedAt && !Number.isNaN(Date.parse(r.startedAt)) ? Date.parse(r.startedAt) : Infinity);
  return results.map((r, i) => ({ r, i })).sort((a, b) => start(a.r) - start(b.r) || a.i - b.i).map(({ r }) => r);
}

/** Stages from the state machine's progress record; the current stage is unfinished unless completed. */
function fromProgress(progress: PublishResultInput['progress']): { stages: StageResult[]; unfinished?: string } {
  if (typeof progress !== 'object' || progress === null) return { stages: [] };
  const completed = typeof progress.completed === 'object' && progress.completed !== null ? progress.completed : {};
  const list: StageTiming[] = Object.entries(completed).map(([key, t]) => ({
    name: key, title: t?.name, startedAt: t?.startedAt, endedAt: t?.endedAt,
  }));
  const current = progress.current;
  const unfinished = current?.key && !(current.key in completed) ? current.key : undefined;
  if (unfinished) list.push({ name: unfinished, title: current?.name, startedAt: current?.startedAt });
  return { stages: stageResults(list), ...(unfinished && { unfinished }) };
}

/** Summary, then the result as JSON; within SNS's 256 KB (the JSON is dropped if it would not fit). */
function message(result: PublishResultOutput): string {
  const text = summary(result);
  const full = `${text}\n\n${JSON.stringify(result, null, 2)}`;
  return Buffer.byteLength(full) <= 250_000 ? full : `${text}\n\n(the JSON result is too large for SNS: see the execution output)`;
}

/** Step Functions gives a Lambda error's Cause as JSON {errorType, errorMessage, trace}. */
function describeError(error: { Error?: string; Cause?: string }): { name: string; message: string } {
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // not JSON: keep the text
  }
  return { name: error.Error ?? 'Error', message: message.slice(0, 4000) };
}

function duration(s: number | undefined): string {
  if (s === undefined) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m ${String(sec).padStart(2, '0')}s` : `${m}m ${String(sec).padStart(2, '0')}s`;
}

function summary(r: PublishResultOutput): string {
  const width = Math.max(5, ...r.stages.map((s) => s.name.length));
  return [
    `Neo4j upgrade of stack ${r.stackName}: ${r.outcome}`,
    ...(r.fromVersion || r.toVersion ? [`${r.fromVersion ?? '?'} -> ${r.toVersion ?? '?'}${r.dockerImage ? ` (${r.dockerImage})` : ''}`] : []),
    ...(r.comment ? [r.comment] : []),
    `Execution: ${r.executionArn}`,
    `Started: ${r.startedAt ?? '?'}  Ended: ${r.endedAt}  Took: ${duration(r.durationSeconds)}`,
    ...(r.unfinishedStage ? [`Unfinished stage: ${r.unfinishedStage}`] : []),
    ...(r.pastPointOfNoReturn !== undefined ? [`Past the point of no return (store upgraded): ${r.pastPointOfNoReturn ? 'yes' : 'no'}`] : []),
    ...(r.error ? [`Error: ${r.error.name}: ${r.error.message}`] : []),
    ...(r.stages.length > 0 ? ['', 'Stages:'] : []),
    ...r.stages.map((s) => `  ${s.name.padEnd(width)}  ${duration(s.durationSeconds).padStart(11)}  ${s.startedAt ?? '-'} -> ${s.endedAt ?? '-'}`),
  ].join('\n');
}
