import { ExecutionListItem, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { UPGRADE_METRICS } from '../../lib/private/upgrade-telemetry';
import { emitMetric } from '../shared/emf';
import { Logger } from '../shared/log';
import { requireMatch } from '../shared/name-checks';

export interface ExecutionProgressDeps {
  readonly sfn: SFNClient;
  readonly log: Logger;
  readonly now?: () => Date;
}

/** The scheduled rule's constant input. */
export interface ExecutionProgressInput {
  readonly stateMachineArn: string;
}

/** One RUNNING execution as seen from its newest history event. */
export interface RunningExecution {
  readonly executionArn: string;
  readonly lastEventType: string;
  readonly lastEventAt: string;
  readonly minutesWithoutProgress: number;
  /** Its newest event is a `.waitForTaskToken` task's submission: it waits for an operator, under the approval's own timeout. */
  readonly awaitingApproval: boolean;
}

export interface ExecutionProgressOutput {
  readonly running: RunningExecution[];
  /** The metric's value: the longest silence of an execution not awaiting an approval, 0 when there is none. */
  readonly minutesWithoutProgress: number;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/**
 * Run on a schedule: how long each RUNNING execution of the state machine has gone without a state
 * transition (its newest history event), written as the MinutesWithoutProgress metric (EMF) that the
 * stuck-execution alarm watches. A running execution always moves within minutes (polls pause at most a
 * minute, a handler runs at most 15), except while it waits for an approval, which has its own timeout
 * and is left out. Reads only.
 */
export async function logic(deps: ExecutionProgressDeps, input: ExecutionProgressInput): Promise<ExecutionProgressOutput> {
  const stateMachineArn = requireMatch(input?.stateMachineArn, STATE_MACHINE_ARN, 'stateMachineArn', 'a state machine ARN');
  const now = (deps.now ?? (() => new Date()))();
  const running: RunningExecution[] = [];
  for (const execution of await runningExecutions(deps.sfn, stateMachineArn)) {
    const last = (await deps.sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, reverseOrder: true, maxResults: 1 }))).events?.[0];
    const at = last?.timestamp ?? execution.startDate ?? now;
    running.push({
      executionArn: String(execution.executionArn),
      lastEventType: String(last?.type ?? 'none'),
      lastEventAt: at.toISOString(),
      minutesWithoutProgress: Math.max(0, Math.floor((now.getTime() - at.getTime()) / 60000)),
      awaitingApproval: awaitsTaskToken(last),
    });
  }
  const minutesWithoutProgress = Math.max(0, ...running.filter((r) => !r.awaitingApproval).map((r) => r.minutesWithoutProgress));
  const machine = stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1);
  emitMetric(deps.log, UPGRADE_METRICS.minutesWithoutProgress, minutesWithoutProgress, 'None',
    { [UPGRADE_METRICS.stateMachineDimension]: machine }, { running }, now);
  return { running, minutesWithoutProgress };
}

async function runningExecutions(sfn: SFNClient, stateMachineArn: string): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', nextToken }));
    out.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

function awaitsTaskToken(event: HistoryEvent | undefined): boolean {
  const details = event?.taskSubmittedEventDetails ?? event?.taskStartedEventDetails ?? event?.taskScheduledEventDetails;
  return /\.waitForTaskToken$/.test(String(details?.resource ?? ''));
}
