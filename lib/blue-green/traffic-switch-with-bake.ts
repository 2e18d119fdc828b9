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
   * Where the bake's Bolt probe connects.
   * @default - the client endpoint's `boltUri`: the probe goes where clients go
   */
  readonly probeBoltUri?: string;
}

/**
 * The blue/green switch with a bake: the client endpoint's listener moves to green, then green bakes
 * for `bakeTime` while `UpgradeHandler.BAKE_WATCH` reads the bake alarms and probes through the endpoint
 * every second. An alarm in ALARM, a failed probe, a bake that outlives its budget or a switch that
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

    const toGreen = switchToGreen(this, props, undoing, switchBack, switchInput, switchTimeout, results);
    const bakeStarts = new sfn.Pass(this, `${props.title}: traffic on green, the bake starts`, {
      parameters: { 'at.$': '$$.State.EnteredTime' }, resultPath: `${results}.bakeStartedAt`,
    });
    const bake = undoing.step(this, `${props.title}: bake on green`, UpgradeHandler.BAKE_WATCH, {
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
    const baked = new sfn.Pass(this, `${props.title}: green baked`);
    toGreen.next(bakeStarts).next(bake).next(baked);
    this.startState = toGreen;
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
  scope: Construct, props: TrafficSwitchWithBakeProps, undoing: StageContext, switchBack: sfn.IChainable,
  switchInput: (action: string) => Record<string, unknown>, switchTimeout: Duration, results: string,
): sfn.TaskStateBase {
  const toGreen = undoing.step(scope, `${props.title}: switch the endpoint to green`, UpgradeHandler.TRAFFIC_SWITCH,
    { ...switchInput('switch'), weights: { green: 100 } }, { resultPath: `${results}.switch`, timeout: switchTimeout, noCatch: true });
  const outlived = new sfn.Wait(scope, `${props.title}: the timed-out switch ends`, { time: sfn.WaitTime.duration(SWITCH_FUNCTION_TIMEOUT) });
  outlived.next(switchBack);
  toGreen.addCatch(outlived, { errors: ['States.Timeout'], resultPath: '$.error' });
  undoing.catchTask(toGreen);
  return toGreen;
}
