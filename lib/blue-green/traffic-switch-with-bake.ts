import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { handlerSpec } from '../private/handler-registry';
import { statePath } from '../private/state-document';
import { pollingPlan } from '../toolkit/retry-policy';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';

/** The traffic switch function's timeout (UpgradeHandlerFunction's default when the registry gives none): no invocation outlives it. */
const SWITCH_FUNCTION_TIMEOUT = handlerSpec('traffic-switch').timeout ?? Duration.minutes(1);

/** Props of {@link TrafficSwitchWithBake}. */
export interface TrafficSwitchWithBakeProps {
  /** Its handlers need the `clientEndpoint` and the `bakeAlarms`; where a failure goes after the switch-back. */
  readonly context: StageContext;
  /** Stage key: results go to `$.results.<key>.switch`, `.bakeStartedAt`, `.bake` and `.switchBack`. */
  readonly key: string;
  /** Prefix of the state names. */
  readonly title: string;
  /** How long green must serve with every bake alarm OK and every probe answered (1 second to 24 hours). */
  readonly bakeTime: Duration;
  /**
   * How long the switch itself may take; past it the switch is undone (1 to 60 seconds).
   * @default Duration.minutes(1)
   */
  readonly switchTimeout?: Duration;
  /**
   * A gradual switch: green's percent of new connections at each step, increasing, each in (0, 100], the
   * last 100 (at most 10 steps). Each step bakes for `bakeTime` under the alarms and the probe; a failure at
   * any step returns all traffic to blue. The endpoint's listener takes weighted forwards (Network Load
   * Balancers have weighted target groups since November 2025).
   * @default [100] - one whole switch
   */
  readonly trafficSteps?: number[];
  /**
   * Where the bake's Bolt probe connects.
   * @default - the client endpoint's `boltUri`: the probe goes where clients go
   */
  readonly probeBoltUri?: string;
}

/**
 * The blue/green switch with a bake: the client endpoint's listener moves to green (in one step, or in
 * `trafficSteps` weighted steps), and after each step green bakes for `bakeTime` while
 * `UpgradeHandler.BAKE_WATCH` reads the bake alarms and probes through the endpoint every second. An alarm in ALARM, a failed probe, a bake that outlives its budget or a switch that
 * takes longer than `switchTimeout` runs the traffic switch's `rollback` (the listener back on what it had
 * before this execution's switch) and then goes to the context's failure path with the error at
 * `$.error`; the fragment ends only when green has baked. Blue is never touched: it keeps running and
 * keeps its volumes until an operator retires it.
 */
export class TrafficSwitchWithBake extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: TrafficSwitchWithBakeProps) {
    super(scope, id);
    const switchTimeout = props.switchTimeout ?? Duration.minutes(1);
    this.validate(props.bakeTime, switchTimeout);
    const steps = props.trafficSteps ?? [100];
    validateTrafficSteps(steps);
    const handlers = props.context.handlers;
    const endpoint = handlers.clientEndpoint;
    if (!endpoint) throw new Neo4jUpgradesValidationError('context.handlers.clientEndpoint', 'undefined', 'the switch moves a client endpoint: give UpgradeHandlers a clientEndpoint');
    if (handlers.bakeAlarms.length === 0) throw new Neo4jUpgradesValidationError('context.handlers.bakeAlarms', '[]', 'the bake watches alarms on green: give UpgradeHandlers the bakeAlarms');
    const results = `$.results.${props.key}`;
    const switchInput = (action: string) => ({
      action, listenerArn: endpoint.listenerArn, targetGroups: endpoint.targetGroupArns,
      lockParameterName: handlers.lockParameterName, 'executionId.$': '$$.Execution.Name',
    });

    // Any failure from here on: traffic back to what it had before (idempotent), then the named failure path.
    const switchBack = props.context.step(this, `${props.title}: switch back to blue`, UpgradeHandler.TRAFFIC_SWITCH,
      switchInput('rollback'), { resultPath: `${results}.switchBack`, timeout: switchTimeout });
    // The rollback is idempotent: one that timed out is tried again before the failure path gives up on it.
    switchBack.addRetry({ errors: ['States.Timeout'], interval: Duration.seconds(1), maxAttempts: 2 });
    switchBack.next(new sfn.Pass(this, `${props.title}: traffic back on blue`).next(props.context.onFailure));
    const undoing = props.context.failingTo(switchBack);

    // One step keeps the whole switch's state names; a gradual switch names each step by green's percent.
    const named = (whole: string, step: string) => (steps.length === 1 ? `${props.title}: ${whole}` : `${props.title}: ${step}`);
    let first: sfn.TaskStateBase | undefined;
    let last: sfn.INextable | undefined;
    for (const percent of steps) {
      const names = {
        toGreen: named('switch the endpoint to green', `green at ${percent}%`),
        outlived: named('the timed-out switch ends', `the timed-out switch to ${percent}% ends`),
        bakeStarts: named('traffic on green, the bake starts', `green at ${percent}%, the bake starts`),
        bake: named('bake on green', `bake at ${percent}%`),
      };
      const toGreen = switchToGreen(this, names, undoing, switchBack, { ...switchInput('switch'), weights: { blue: 100 - percent, green: percent } }, switchTimeout, results);
      const bakeStarts = new sfn.Pass(this, names.bakeStarts, { parameters: { 'at.$': '$$.State.EnteredTime' }, resultPath: `${results}.bakeStartedAt` });
      const bake = undoing.step(this, names.bake, UpgradeHandler.BAKE_WATCH, {
        'cluster.$': statePath('cluster'),
        alarmNames: handlers.bakeAlarms.map((a) => a.alarmName),
        probeBoltUri: props.probeBoltUri ?? endpoint.boltUri,
        'bakeStartedAt.$': `${results}.bakeStartedAt.at`,
        bakeSeconds: props.bakeTime.toSeconds(),
      }, {
        resultPath: `${results}.bake`,
        // The bake's budget: its time plus a minute for the last look and a Retry; past it, the switch is undone.
        poll: pollingPlan({ timeout: props.bakeTime.plus(Duration.minutes(1)), interval: Duration.seconds(1), lookEvery: Duration.seconds(1) }),
      });
      last?.next(toGreen);
      toGreen.next(bakeStarts).next(bake);
      first ??= toGreen;
      last = bake;
    }
    const baked = new sfn.Pass(this, `${props.title}: green baked`);
    last!.next(baked);
    this.startState = first!;
    this.endStates = [baked];
  }

  private validate(bakeTime: Duration, switchTimeout: Duration): void {
    const bake = bakeTime.toSeconds({ integral: false });
    if (!Number.isInteger(bake) || bake < 1 || bake > 86_400) {
      throw new Neo4jUpgradesValidationError('bakeTime', `${bake} seconds`, 'must be a whole number of seconds from 1 to 86400');
    }
    const timeout = switchTimeout.toSeconds({ integral: false });
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > SWITCH_FUNCTION_TIMEOUT.toSeconds()) {
      throw new Neo4jUpgradesValidationError('switchTimeout', `${timeout} seconds`,
        `must be a whole number of seconds from 1 to ${SWITCH_FUNCTION_TIMEOUT.toSeconds()} (the traffic switch function's own timeout)`);
    }
  }
}

/**
 * The switch to green. A switch that times out (States.Timeout) may still be running in its function and
 * modify the listener after a switch-back would have run, so the switch-back waits until no invocation of
 * the function can still be alive; any other failure switches back at once.
 */
function switchToGreen(
  scope: Construct, names: { toGreen: string; outlived: string }, undoing: StageContext, switchBack: sfn.IChainable,
  input: Record<string, unknown>, switchTimeout: Duration, results: string,
): sfn.TaskStateBase {
  const toGreen = undoing.step(scope, names.toGreen, UpgradeHandler.TRAFFIC_SWITCH, input, { resultPath: `${results}.switch`, timeout: switchTimeout, noCatch: true });
  const outlived = new sfn.Wait(scope, names.outlived, { time: sfn.WaitTime.duration(SWITCH_FUNCTION_TIMEOUT) });
  outlived.next(switchBack);
  toGreen.addCatch(outlived, { errors: ['States.Timeout'], resultPath: '$.error' });
  undoing.catchTask(toGreen);
  return toGreen;
}

/** Green's percent per step: whole numbers, increasing, each in (0, 100], ending at 100; at most 10 steps. */
function validateTrafficSteps(steps: readonly number[]): void {
  const shown = JSON.stringify(steps);
  if (steps.length === 0 || steps.length > 10) throw new Neo4jUpgradesValidationError('trafficSteps', shown, 'must hold 1 to 10 steps');
  const bad = steps.find((p) => !Number.isInteger(p) || p <= 0 || p > 100);
  if (bad !== undefined) throw new Neo4jUpgradesValidationError('trafficSteps', shown, `must be whole percents in (0, 100]: ${bad} is not`);
  if (steps.some((p, i) => i > 0 && p <= steps[i - 1])) throw new Neo4jUpgradesValidationError('trafficSteps', shown, 'must increase step by step');
  if (steps[steps.length - 1] !== 100) throw new Neo4jUpgradesValidationError('trafficSteps', shown, 'must end at 100 (all traffic on green)');
}
