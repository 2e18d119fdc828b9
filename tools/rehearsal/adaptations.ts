/**
 * Where the rehearsal's emulators differ from AWS, and what the harness does about it, each entry with
 * why next to it. Two kinds:
 * - call adaptations act on the handlers' AWS calls inside the client seam (aws-clients.ts): an answer
 *   moto cannot give, or a rewrite of what it answered. They are counted in the report's `simulated`.
 * - machine adaptations are how the definition is run by aws-local-stepfunctions instead of Step
 *   Functions; they are listed in the report's `emulatorAdaptations`.
 * Handlers never see any of it through their inputs or deps.
 */
import { CallInfo } from './aws-clients';
import { AslDefinition, allStates, localDefinition } from './definition';
import { WAIT_KINDS, WaitEpisode } from './wait-episodes';
import type { World } from './world';

export interface Adaptation {
  readonly what: string;
  readonly why: string;
}

/** A call adaptation, counted under `key` in the report's `simulated`. */
export interface CallAdaptation extends Adaptation {
  readonly key: string;
  /** Runs before the handler (once per invocation). */
  prepare?(invocation: Invocation): Promise<void>;
  /** A response instead of calling moto, or undefined to call it. */
  answer?(call: CallInfo, invocation: Invocation): Record<string, unknown> | undefined;
  /** Changes moto's response. */
  rewrite?(call: CallInfo, output: Record<string, unknown>, invocation: Invocation): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** One handler invocation as the call adaptations see it. */
export interface Invocation {
  readonly handler: string;
  readonly world: World;
  /** The wait this invocation belongs to (a waiting handler's), with its clock and completion moment. */
  readonly wait?: WaitEpisode;
}

/** How long stack-status waits for the harness's boots and image roll before it reads UPDATE_IN_PROGRESS. */
export const STATUS_REWRITE_WAIT_MS = 20_000;

const drift: CallAdaptation = {
  key: 'drift',
  what: 'DetectStackDrift / DescribeStackDriftDetectionStatus answered DETECTION_COMPLETE, IN_SYNC',
  why: 'moto 5.2.1 does not implement drift detection',
  answer(call, { world }) {
    if (call.service !== 'CloudFormation' || !/Drift/.test(call.operation)) return undefined;
    switch (call.operation) {
      case 'DescribeStackResourceDrifts':
        world.note(drift);
        return { StackResourceDrifts: [] };
      case 'DetectStackDrift':
        world.note(drift);
        return { StackDriftDetectionId: `rehearsal-drift-${Date.now()}` };
      case 'DescribeStackDriftDetectionStatus':
        world.note(drift);
        return {
          StackId: world.cluster.stackId, StackDriftDetectionId: call.input.StackDriftDetectionId,
          StackDriftStatus: 'IN_SYNC', DetectionStatus: 'DETECTION_COMPLETE', DriftedStackResourceCount: 0, Timestamp: new Date(),
        };
      default:
        return undefined;
    }
  },
};

const waitCompletion: CallAdaptation = {
  key: 'waitCompletion',
  what: `every wait (${Object.values(WAIT_KINDS).join(', ')}) reads "in progress" until a random moment of its own clock (wait-episodes.ts): stack UPDATE_IN_PROGRESS, snapshots pending, the ECS rollout IN_PROGRESS one task short, a member Unavailable in SHOW SERVERS`,
  why: 'moto completes snapshots and stack updates at once and the harness\'s cluster settles in seconds; AWS takes its time, and the detection lag after a wait really ends is what the rehearsal measures',
  rewrite(call, output, { handler, world, wait }) {
    if (!wait?.pending()) return output;
    if (handler === 'stack-status' && call.service === 'CloudFormation' && call.operation === 'DescribeStacks' && !world.statusOverride) {
      setStackStatus(output, 'UPDATE_IN_PROGRESS', 'rehearsal: the update still runs');
      world.note(waitCompletion);
    }
    if (handler === 'snapshots-complete' && call.service === 'EC2' && call.operation === 'DescribeSnapshots') {
      for (const s of (output.Snapshots ?? []) as Array<Record<string, unknown>>) Object.assign(s, { State: 'pending', Progress: '42%' });
      world.note(waitCompletion);
    }
    if (handler === 'ecs-services-steady' && call.service === 'ECS' && call.operation === 'DescribeServices') {
      for (const service of (output.services ?? []) as Array<Record<string, unknown>>) {
        const short = { runningCount: Math.max(0, Number(service.desiredCount ?? 1) - 1) };
        Object.assign(service, short);
        const primary = ((service.deployments ?? []) as Array<Record<string, unknown>>).find((d) => d.status === 'PRIMARY');
        if (primary && primary.rolloutState !== 'FAILED') Object.assign(primary, short, { rolloutState: 'IN_PROGRESS' });
      }
      world.note(waitCompletion);
    }
    return output;
  },
};

/** Counted by the Bolt seam when a health gate's look reads a member not yet Available. */
export const WAIT_COMPLETION = waitCompletion;

/** Counted by fault (c) when it puts the status in place; applied here to every describe until the next update. */
export const rollbackStatus: CallAdaptation = {
  key: 'rollbackStatus',
  what: 'stack status UPDATE_ROLLBACK_COMPLETE after fault (c) (the parameters were really put back with UpdateStack)',
  why: 'moto never rolls an update back; the harness reverts the parameters itself and reports the rollback status',
  rewrite(call, output, { world }) {
    if (startsStackUpdate(call)) world.statusOverride = undefined;
    if (call.service === 'CloudFormation' && call.operation === 'DescribeStacks' && world.statusOverride) {
      setStackStatus(output, world.statusOverride.status, world.statusOverride.reason);
    }
    return output;
  },
};

const inProgress: CallAdaptation = {
  key: 'inProgress',
  what: 'stack-status saw UPDATE_IN_PROGRESS while the harness still played the update (node boots, ECS rolling Neo4j)',
  why: 'moto applies an UpdateStack synchronously; in AWS the update lasts until instances boot and ECS deployments settle',
  // Each look (a waiting handler may look many times in one invocation) first gives the harness's boots time.
  async rewrite(call, output, { handler, world, wait }) {
    if (handler !== 'stack-status' || call.service !== 'CloudFormation' || call.operation !== 'DescribeStacks') return output;
    const settled = await world.settle(STATUS_REWRITE_WAIT_MS);
    // The update's boots ended during this wait: the condition cannot have become true before.
    if (settled) wait?.falseUntil(world.settledAt);
    if (!settled) {
      setStackStatus(output, 'UPDATE_IN_PROGRESS', 'rehearsal: nodes booting / ECS rolling');
      world.note(inProgress);
    }
    return output;
  },
};

const ecsAgent: CallAdaptation = {
  key: 'ecsAgent',
  what: 'ECS DescribeServices of the cluster\'s DAEMON services: desiredCount = InService instances of the group, runningCount = those that booted (claimed a data volume), the PRIMARY deployment COMPLETED once running reaches desired',
  why: 'moto runs no ECS agent: it keeps a daemon service at desiredCount 0, never starts tasks (runningCount 0) and never advances a rollout; ECS reports these from its container instances',
  async rewrite(call, output, { world }) {
    if (call.service !== 'ECS' || call.operation !== 'DescribeServices') return output;
    const view = await world.ecsView();
    for (const service of (output.services ?? []) as Array<Record<string, unknown>>) {
      const desired = view.desired[String(service.serviceName)];
      if (desired === undefined) continue;
      const running = view.running[String(service.serviceName)] ?? 0;
      const counts = { desiredCount: desired, runningCount: running, pendingCount: Math.max(0, desired - running) };
      Object.assign(service, counts);
      const primary = ((service.deployments ?? []) as Array<Record<string, unknown>>).find((d) => d.status === 'PRIMARY');
      if (primary && primary.rolloutState !== 'FAILED') {
        const done = running >= desired;
        Object.assign(primary, counts, {
          rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS',
          rolloutStateReason: `ECS deployment ${String(primary.id)} ${done ? 'completed' : 'in progress'}.`,
        });
      }
      world.note(ecsAgent);
    }
    return output;
  },
};

/** In order: a later rewrite sees (and may override) an earlier one's result. */
export const CALL_ADAPTATIONS: readonly CallAdaptation[] = [drift, rollbackStatus, inProgress, ecsAgent, waitCompletion];

/** update-stack executes a reviewed change set; the harness's own revert (fault c) still calls UpdateStack. */
function startsStackUpdate(call: CallInfo): boolean {
  return call.service === 'CloudFormation' && /^(UpdateStack|ExecuteChangeSet)$/.test(call.operation);
}

function setStackStatus(output: Record<string, unknown>, status: string, reason: string): void {
  const stack = ((output.Stacks ?? []) as Array<Record<string, unknown>>)[0];
  if (!stack) return;
  stack.StackStatus = status;
  stack.StackStatusReason = reason;
}

/** How the definition is run instead of by Step Functions (listed in the report's emulatorAdaptations). */
export const MACHINE_ADAPTATIONS = {
  inProcessLambda: {
    what: 'Lambda tasks run in-process through aws-local-stepfunctions task overrides (function ARN -> handler by its Description)',
    why: 'moto\'s Lambda needs Docker to invoke; the rehearsal runs the real handler logic instead',
  },
  zeroRetryIntervals: {
    what: 'every Retry interval overridden to 0 (the polling loops retry at once)',
    why: 'the waits only stand for time passing in AWS; the harness plays that time (boots, rollouts) itself',
    apply: (definition: AslDefinition): Record<string, number> => Object.fromEntries(
      allStates(definition).filter(([, state]) => (state.Retry ?? []).length > 0).map(([name]) => [name, 0])),
  },
  executionMirror: {
    what: 'each run is mirrored in moto\'s Step Functions (StartExecution with its name when it starts, StopExecution when it ends), so DescribeExecution on a lock holder gets moto\'s answer: RUNNING while the run lasts, ABORTED after it',
    why: 'aws-local-stepfunctions runs the definition outside any Step Functions API; moto ends executions only as ABORTED',
  },
  contextObject: {
    what: '$$.State.EnteredTime, $$.Task.Token, $$.Execution.Id/Name given to aws-local-stepfunctions as a context object',
    why: 'the local executor only fills $$.Execution.Input/StartTime',
  },
  timeoutSecondsPath: {
    what: 'in the copy of the definition aws-local-stepfunctions runs, a Task\'s TimeoutSecondsPath moves into a Parameters field resolved from the state input (the harness strips it before the handler); a Task without a timeout gets a day',
    why: 'aws-local-stepfunctions resolves TimeoutSecondsPath against the evaluated Parameters (AWS: against the state input), and times a Task without one out after 60 s of real time (AWS: no task timeout, the Lambda\'s own ends it), which a waiting handler\'s looks pass while the harness\'s nodes boot',
    apply: localDefinition,
  },
  serviceLimits: {
    what: 'Step Functions\' and Lambda\'s quotas applied around aws-local-stepfunctions (limited-machine.ts): 256 KiB per state input/output/task result (States.DataLimitExceeded, not caught by States.ALL), 6 MB Lambda response, 25,000 history events, timeouts within a year; largest state and history length measured',
    why: 'aws-local-stepfunctions enforces none of them, so a state that would stop the execution on AWS passes locally',
  },
  terminalStateFromEvents: {
    what: 'the terminal state is read from the execution\'s events, not from the error name',
    why: 'aws-local-stepfunctions does not evaluate intrinsic functions in a Fail state\'s CausePath (States.JsonToString($)) and fails with States.Runtime there',
  },
  promisePolyfill: {
    what: 'Promise.withResolvers polyfilled before aws-local-stepfunctions is imported',
    why: 'aws-local-stepfunctions 3 needs Node 22; on Node 20 every Task fails with a TypeError that Catch States.ALL would hide',
  },
} as const;

export const EXECUTOR_ADAPTATIONS: Adaptation[] = Object.values(MACHINE_ADAPTATIONS).map(({ what, why }) => ({ what, why }));
