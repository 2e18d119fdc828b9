import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { INeo4jUpgradeTarget } from '../cluster/neo4j-upgrade-target';
import { Neo4jTaskContext } from '../cluster/neo4j-task-context';
import { Neo4jUpgradesValidationError } from '../errors';
import { RELEASE_LOCK, resultPayload } from '../private/procedure-payloads';
import { statePath } from '../private/state-document';
import { ParameterUpdate } from '../toolkit/blocks/parameter-update';
import { Preflight } from '../toolkit/blocks/preflight';
import { ProcedurePolling } from '../toolkit/procedure-polling';
import { pollingPlan } from '../toolkit/retry-policy';
import { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';
import { UpgradeHandlers } from '../toolkit/upgrade-handlers';
import { UpgradeStart } from '../toolkit/blocks/upgrade-start';
import { UpgradeStateMachine } from '../toolkit/upgrade-state-machine';
import { IClientEndpoint } from './client-endpoint';
import { CompatibilityQuery } from './compatibility-query';
import { CompatibilityStop } from './compatibility-stop';
import { TrafficSwitchWithBake } from './traffic-switch-with-bake';

/** Props of {@link Neo4jBlueGreenUpgrade}. */
export interface Neo4jBlueGreenUpgradeProps {
  /** The running cluster (blue): the copy's source, frozen for writes from the copy until the switch. */
  readonly blue: INeo4jUpgradeTarget;
  /** Blue's own Bolt URI (its nodes, not the client endpoint). */
  readonly blueBoltUri: string;
  /**
   * The new version (green), deployed empty by the app beside blue with blue's admin credentials secret,
   * its nodes registered in the endpoint's green target group.
   */
  readonly green: INeo4jUpgradeTarget;
  /** Green's own Bolt URI. */
  readonly greenBoltUri: string;
  /** The clients' endpoint, on blue until the switch. */
  readonly endpoint: IClientEndpoint;
  /** The application's queries and the rows each must return on green; also the performance comparison's queries. */
  readonly compatibilityQueries: CompatibilityQuery[];
  /** Alarms on green's errors and latency: any in ALARM during the bake switches traffic back to blue. */
  readonly bakeAlarms: cloudwatch.IAlarm[];
  /**
   * How long green serves under watch before the upgrade succeeds.
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;
  /**
   * A gradual switch: green's percent of new connections at each step, increasing, each in (0, 100], the
   * last 100 (at most 10). Each step bakes for `bakeTime`; an alarm or a failed probe at any step returns
   * all traffic to blue.
   * @default [100] - one whole switch
   */
  readonly trafficSteps?: number[];
  /**
   * How long the switch itself may take before it undoes itself (1-60 s).
   * @default Duration.minutes(1)
   */
  readonly switchTimeout?: Duration;
  /**
   * The longest blue's writes may stay frozen before the switch: copy, validation, compatibility queries
   * and performance comparison must fit, or the upgrade stops and blue takes writes again (1 s to 24 h).
   * @default Duration.hours(1)
   */
  readonly maxWriteFreeze?: Duration;
  /**
   * Green may take at most this many times blue's median time for any compatibility query (at least 1).
   * @default 1.5
   */
  readonly maxSlowdown?: number;
  /**
   * Timed runs of each query per colour in the performance comparison (1-100).
   * @default 5
   */
  readonly performanceRuns?: number;
  /**
   * The lock parameter; the switch record, the seed record and the validation baseline live under it.
   * @default - `/neo4j-upgrades/<blue's environment>/blue-green-lock`
   */
  readonly lockParameterName?: string;
  /**
   * Where the result is published.
   * @default - a new topic encrypted with the AWS managed key
   */
  readonly notificationTopic?: sns.ITopic;
}

/**
 * A blue/green Neo4j upgrade (seed 004): preflight on blue (input and version path, stack ready, lock,
 * pre-upgrade snapshots), blue's writes frozen (reads keep being served), green seeded from blue by
 * export/import over Bolt, the validator comparing green with blue (counts, checksums, schema), the
 * compatibility queries on green, the same queries timed on both, the freeze checked against its bound,
 * then the switch of the client endpoint with a bake (whole, or in `trafficSteps`). Any failure before the
 * switch: blue's writes accepted again, green left as it is, the lock released. A failure during the switch
 * or the bake: all traffic back on blue, then green compared with blue's frozen state; blue takes writes
 * again only if green took none, otherwise blue stays read-only, green is kept for reconciliation and the
 * execution fails naming the differences. After a
 * bake that passed, blue is stopped (its Auto Scaling groups at zero through its own stack parameters) and
 * retained, read-only, its volumes and snapshots kept, until an operator retires it.
 */
export class Neo4jBlueGreenUpgrade extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly handlers: UpgradeHandlers;
  public readonly lockParameterName: string;

  constructor(scope: Construct, id: string, props: Neo4jBlueGreenUpgradeProps) {
    super(scope, id);
    this.validate(props);
    const { blue, greenBoltUri } = props;
    this.lockParameterName = props.lockParameterName ?? `/neo4j-upgrades/${blue.environmentName}/blue-green-lock`;
    const notificationTopic = props.notificationTopic ?? new sns.Topic(this, 'Notifications', {
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true,
    });
    const handlers = this.handlers = new UpgradeHandlers(this, 'Handlers', {
      target: blue, lockParameterName: this.lockParameterName, notificationTopic, clientEndpoint: props.endpoint, bakeAlarms: props.bakeAlarms,
    });
    const polling = new ProcedurePolling();
    const preflight = new Preflight(this, 'Preflight', { handlers, polling });
    // Every failure after the freeze: blue takes writes again, then the lock goes (green stays for inspection).
    const stopped = stopBeforeOrAfterSwitch(this, handlers);
    const ctx = new StageContext(stopped, handlers);
    const cluster = { 'cluster.$': statePath('cluster') };

    // A freeze that failed may still have reached blue: it thaws like any later failure (thawing is idempotent).
    const freeze = ctx.step(this, 'Freeze: blue read-only (writes refused until the switch)', UpgradeHandler.WRITE_FREEZE,
      { ...cluster, action: 'freeze' }, { resultPath: '$.results.freeze' });
    const seed = ctx.step(this, 'Seed green from blue (export and import over Bolt)', UpgradeHandler.SEED_GREEN, {
      ...cluster, greenBoltUri, lockParameterName: this.lockParameterName, 'executionId.$': '$$.Execution.Name',
    }, { resultPath: '$.results.seed', poll: pollingPlan({ timeout: props.maxWriteFreeze ?? Duration.hours(1), interval: Duration.seconds(1), lookEvery: Duration.seconds(1) }) });
    const baseline = `${this.lockParameterName}/baseline`;
    const captureBlue = ctx.step(this, 'Validate: capture blue (counts, checksums, schema)', UpgradeHandler.VALIDATE_MIGRATION,
      { ...cluster, mode: 'capture-baseline', baselineParameterName: baseline }, { resultPath: '$.validation.baseline' });
    const compareGreen = ctx.step(this, 'Validate: compare green with blue', UpgradeHandler.VALIDATE_MIGRATION,
      { ...cluster, boltUri: greenBoltUri, mode: 'compare', baselineParameterName: baseline }, { resultPath: '$.validation.compare' });
    const compatibility = new CompatibilityStop(this, 'Compatibility', {
      context: ctx, key: 'proof', title: 'Proof', greenBoltUri, queries: props.compatibilityQueries,
    });
    const performance = ctx.step(this, 'Proof: the same queries timed on blue and green', UpgradeHandler.PERFORMANCE_COMPARE, {
      ...cluster, greenBoltUri, queries: props.compatibilityQueries.map((q) => ({ name: q.name, cypher: q.cypher })),
      runs: props.performanceRuns ?? 5, maxSlowdown: props.maxSlowdown ?? 1.5,
    }, { resultPath: '$.results.proof.performance' });
    const withinBound = ctx.step(this, 'Freeze: still within its bound', UpgradeHandler.WRITE_FREEZE, {
      action: 'check', 'frozenAt.$': '$.results.freeze.Payload.frozenAt', maxSeconds: (props.maxWriteFreeze ?? Duration.hours(1)).toSeconds(),
    }, { resultPath: '$.results.freezeCheck' });
    // After a switch-back, blue takes writes again only if green took none since the switch (green still equal to blue's frozen baseline).
    const switchedBack = ctx.failingTo(greenWritesCheck(this, handlers, stopped, greenBoltUri, baseline));
    const switchWithBake = new TrafficSwitchWithBake(this, 'Switch', {
      context: switchedBack, key: 'switch', title: 'Switch', bakeTime: props.bakeTime ?? Duration.minutes(10), switchTimeout: props.switchTimeout, trafficSteps: props.trafficSteps,
    });
    const stopBlue = new ParameterUpdate(this, 'StopBlue', {
      context: new StageContext(blueNotStopped(this, handlers), handlers), polling, key: 'stopBlue', title: 'After: stop blue',
      parameters: BLUE_STOPPED, waitForServices: false,
    });
    const retained = new sfn.Pass(this, 'After: blue stopped and retained (volumes and snapshots kept)', {
      parameters: {
        stopped: true, 'stackName.$': `${statePath('cluster')}.stackName`, parameters: BLUE_STOPPED,
        // Where blue's data is: its volumes (tagged Name=dataVolumeName, Environment=environmentName) and their pre-upgrade snapshots.
        'dataVolumeName.$': `${statePath('cluster')}.dataVolumeName`, 'environmentName.$': `${statePath('cluster')}.environmentName`,
        'dataVolumeIds.$': `${statePath('snapshots.preUpgrade')}.Payload.snapshots[*].volumeId`,
        'snapshotIds.$': `${statePath('snapshots.preUpgrade')}.Payload.snapshots[*].snapshotId`,
        retire: 'an operator retires blue (its stack, volumes and snapshots): nothing in this library deletes them',
      },
      resultPath: '$.results.blueRetained',
    });
    const done = new StageContext(new sfn.Succeed(this, 'Upgraded (lock or result not settled)'), handlers);
    const release = done.step(this, 'After: release the lock (blue stopped, retained)', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: '$.results.finish.lock' });
    const publish = done.step(this, 'After: publish the result', UpgradeHandler.PUBLISH_RESULT,
      { ...resultPayload('SUCCEEDED'), 'retained.$': '$.results.blueRetained' }, { resultPath: statePath('result') });

    const definition = sfn.Chain
      .start(new UpgradeStart(this, 'Read the request and both clusters', {
        target: Neo4jTaskContext.of(blue, props.blueBoltUri), lockParameterName: this.lockParameterName, notificationTopic,
      }))
      .next(preflight).next(freeze).next(seed).next(captureBlue).next(compareGreen).next(compatibility).next(performance)
      .next(withinBound).next(switchWithBake).next(stopBlue).next(retained).next(release).next(publish)
      .next(new sfn.Succeed(this, 'Upgraded: traffic on green', { outputPath: '$.result.Payload' }));
    this.stateMachine = new UpgradeStateMachine(this, 'Procedure', {
      definition, comment: `Blue/green upgrade of ${blue.environmentName}`, handlers,
    }).stateMachine;
  }

  private validate(props: Neo4jBlueGreenUpgradeProps): void {
    if (props.blueBoltUri === props.greenBoltUri) {
      throw new Neo4jUpgradesValidationError('greenBoltUri', props.greenBoltUri, "must be green's own URI, not blue's");
    }
    if (props.green.adminCredentials.secretArn !== props.blue.adminCredentials.secretArn) {
      throw new Neo4jUpgradesValidationError('green.adminCredentials', props.green.adminCredentials.secretArn,
        "must be blue's admin credentials secret: green is blue's copy, with the same users");
    }
    const freeze = (props.maxWriteFreeze ?? Duration.hours(1)).toSeconds({ integral: false });
    if (!Number.isInteger(freeze) || freeze < 1 || freeze > 86_400) {
      throw new Neo4jUpgradesValidationError('maxWriteFreeze', `${freeze} seconds`, 'must be a whole number of seconds from 1 to 86400');
    }
    const slowdown = props.maxSlowdown ?? 1.5;
    if (!Number.isFinite(slowdown) || slowdown < 1) throw new Neo4jUpgradesValidationError('maxSlowdown', String(slowdown), 'must be a number of at least 1');
    const runs = props.performanceRuns ?? 5;
    if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Neo4jUpgradesValidationError('performanceRuns', String(runs), 'must be a whole number from 1 to 100');
  }
}

/**
 * Blue stopped: both Auto Scaling groups at zero through blue's stack parameters, so the template and what
 * runs agree (a desired count set outside the stack would come back with the next stack update) and a
 * repeat is CloudFormation's "no updates". The instances go; the data volumes (separate, claimed by tag)
 * and the pre-upgrade snapshots stay. Maximum sizes are kept, so an operator can scale blue back.
 */
const BLUE_STOPPED = { minSize: '0', desiredCapacity: '0', slaveMinSize: '0', slaveDesiredCapacity: '0' };

/**
 * Stopping blue failed after green baked: traffic stays on green (the upgrade's outcome) and blue stays
 * running read-only; the lock is released and the execution fails naming the error, for an operator.
 */
function blueNotStopped(scope: Construct, handlers: UpgradeHandlers): sfn.IChainable {
  const failed = new sfn.Fail(scope, 'Traffic on green; blue not stopped (still running read-only)', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const release = new StageContext(failed, handlers).step(scope, 'Blue not stopped: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: sfn.JsonPath.DISCARD });
  release.next(failed);
  return release;
}

/**
 * After a switch-back: did green take writes while it served? Green equalled blue's frozen baseline at the
 * switch (seeded, then compared), so any difference now is writes clients were told were committed, and
 * blue does not have them. None: the usual stop (blue thawed). Some, or green unreadable so nobody can
 * tell: blue stays read-only (thawing it would let the two diverge), green is kept for reconciliation, the
 * lock is released and the execution fails naming the differences.
 */
function greenWritesCheck(scope: Construct, handlers: UpgradeHandlers, stopped: sfn.IChainable, greenBoltUri: string, baseline: string): sfn.IChainable {
  const found = new sfn.Fail(scope, 'Switched back: green took writes (blue kept read-only, green kept)', {
    errorPath: '$.greenWrites.Error', causePath: '$.greenWrites.Cause',
  });
  const release = new StageContext(found, handlers).step(scope, 'Green took writes: release the lock (blue stays read-only)', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: sfn.JsonPath.DISCARD });
  release.next(found);
  const check = new StageContext(release, handlers).step(scope, 'Switched back: did green take writes? (green against blue\'s frozen baseline)', UpgradeHandler.VALIDATE_MIGRATION,
    { 'cluster.$': statePath('cluster'), boltUri: greenBoltUri, mode: 'compare', baselineParameterName: baseline },
    { resultPath: '$.results.greenWrites', noCatch: true });
  check.addCatch(release, { errors: ['States.ALL'], resultPath: '$.greenWrites' });
  check.next(stopped);
  return check;
}

/** The failure path once blue may be frozen: thaw blue (idempotent), release the lock, fail with the error. */
function stopBeforeOrAfterSwitch(scope: Construct, handlers: UpgradeHandlers): sfn.IChainable {
  const failed = new sfn.Fail(scope, 'Stopped: traffic and writes on blue, green kept for inspection', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  // A failed release still fails the execution with the original error (the lock then expires).
  const last = new StageContext(failed, handlers);
  const thaw = last.step(scope, 'Stopped: blue takes writes again', UpgradeHandler.WRITE_FREEZE,
    { 'cluster.$': statePath('cluster'), action: 'thaw' }, { resultPath: sfn.JsonPath.DISCARD, noCatch: true });
  const release = last.step(scope, 'Stopped: release the lock', UpgradeHandler.UPGRADE_LOCK, RELEASE_LOCK, { resultPath: sfn.JsonPath.DISCARD });
  // A thaw that failed still releases the lock; the original error stays at $.error.
  thaw.addCatch(release, { errors: ['States.ALL'], resultPath: '$.thawError' });
  thaw.next(release).next(failed);
  return thaw;
}
