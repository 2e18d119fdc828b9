import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ABORT_CHECK } from '../../private/procedure-payloads';
import { statePath } from '../../private/state-document';
import { GateMembers } from '../gate-members';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';
import { Neo4jHealthGate } from './neo4j-health-gate';

/** Props of {@link ServerRoll}. */
export interface ServerRollProps {
  /** The handlers and where failures go. */
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Key of the roll: results go to `$.results.<key>`, and its stack updates are named `<key>-server<N>`, `<key>-final`. */
  readonly key: string;
  /** Prefix of the state names. */
  readonly title: string;
  /**
   * What the servers roll to, as plan-server-roll input: `{ 'image.$': '$.plan.dockerImage' }` (forward) or
   * `{ 'previousParameters.$': '$.preUpgrade.Payload.parameters' }` (back to the pre-upgrade image).
   */
  readonly rollTo: { [key: string]: unknown };
  /**
   * JSONPath of the leader's host (a cluster gate's `leaderHost`): that server rolls last.
   * @default - by server number
   */
  readonly leaderHostPath?: string;
  /** How many members the cluster gate expects between servers. */
  readonly expectedMembers: GateMembers;
  /**
   * Largest allowed difference of the servers' last committed transaction ids between servers.
   * @default - not checked
   */
  readonly maxTransactionLag?: number;
  /**
   * Each server's update and waits, and the closing update, are safe points: an operator's abort request for
   * this execution fails the roll into the context's failure handler (the rollback). Leave it off for a
   * roll that is itself the rollback.
   * @default false
   */
  readonly abortable?: boolean;
}

/**
 * Fixed servers, one at a time (seed 001 5.3.2.1): plan the order (the servers not at the image yet, the
 * leader last), then per server (a Map of concurrency 1: at most one server down at any moment) the
 * parameter-only update of that server's image, UPDATE_COMPLETE, its service steady and the cluster-level
 * gate (every member answering, every database at its requested status, the previous version accepted
 * mid-roll); then one closing update (DockerImage = the image, the server parameters cleared: no task
 * changes) and every service steady. A failure anywhere goes to the context's failure handler.
 */
export class ServerRoll extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: ServerRollProps) {
    super(scope, id);
    const { context: ctx, polling, key, title } = props;
    const abort = props.abortable ? ABORT_CHECK : {};
    const results = `$.results.${key}`;
    const plan = ctx.step(this, `${title}: plan the order, the leader last`, UpgradeHandler.PLAN_SERVER_ROLL, {
      'cluster.$': statePath('cluster'), stage: key, ...props.rollTo,
      ...(props.leaderHostPath && { 'leaderHost.$': props.leaderHostPath }),
    }, { resultPath: `${results}.plan` });

    const perServer = new sfn.Map(this, `${title}: one server at a time`, {
      itemsPath: `${results}.plan.Payload.servers`,
      itemSelector: {
        'cluster.$': statePath('cluster'), 'plan.$': statePath('plan'), 'settings.$': statePath('settings'),
        'server.$': '$$.Map.Item.Value', 'executionName.$': '$$.Execution.Name',
      },
      maxConcurrency: 1, // at most one server down at any moment
      resultPath: `${results}.servers`,
    });
    // Inside the Map a failure ends the iteration; the Map's Catch sends it to the context's failure handler.
    // The gate's Catch puts the error at $.error: a Fail reading a path that is not there ends the whole
    // execution in States.Runtime, which no Catch (States.ALL included) takes, so the rollback never ran.
    const inServer = ctx.failingTo(new sfn.Fail(this, `${title}: a server failed`, { errorPath: '$.error.Error', causePath: '$.error.Cause' }));
    const update = inServer.step(this, `${title}: update the server's image parameter`, UpgradeHandler.UPDATE_STACK, {
      'cluster.$': statePath('cluster'), 'executionName.$': '$.executionName', 'stage.$': '$.server.stage', 'parameters.$': '$.server.parameters', ...abort,
    }, { resultPath: '$.update', poll: polling.stack, noCatch: true });
    const settled = inServer.step(this, `${title}: wait for the server's UPDATE_COMPLETE`, UpgradeHandler.STACK_STATUS, {
      'cluster.$': statePath('cluster'), 'update.$': '$.update.Payload', ...abort,
    }, { resultPath: '$.stack', poll: polling.stack, noCatch: true });
    const steady = inServer.step(this, `${title}: wait for the server's service`, UpgradeHandler.ECS_SERVICES_STEADY, {
      'cluster.$': statePath('cluster'), 'groups.$': '$.server.groups', ...abort,
    }, { resultPath: '$.service', poll: polling.services, noCatch: true });
    const gate = new Neo4jHealthGate(this, 'Gate after a server', {
      context: inServer, polling, key, title, expectedMembers: props.expectedMembers, acceptPreviousVersion: true,
      maxTransactionLag: props.maxTransactionLag, stateName: 'cluster gate after the server', resultPath: '$.gate',
    });
    perServer.itemProcessor(sfn.Chain.start(update).next(settled).next(steady).next(gate));
    ctx.catchMap(perServer);

    const close = ctx.step(this, `${title}: closing update (DockerImage set, servers cleared)`, UpgradeHandler.UPDATE_STACK, {
      'cluster.$': statePath('cluster'), 'executionName.$': '$$.Execution.Name',
      'stage.$': `${results}.plan.Payload.finalStage`, 'parameters.$': `${results}.plan.Payload.finalParameters`, ...abort,
    }, { resultPath: `${results}.close`, poll: polling.stack });
    const closed = ctx.step(this, `${title}: wait for the closing UPDATE_COMPLETE`, UpgradeHandler.STACK_STATUS, {
      'cluster.$': statePath('cluster'), 'update.$': `${results}.close.Payload`,
    }, { resultPath: `${results}.closeStack`, poll: polling.stack });
    const allSteady = ctx.step(this, `${title}: wait for every service`, UpgradeHandler.ECS_SERVICES_STEADY, {
      'cluster.$': statePath('cluster'),
    }, { resultPath: `${results}.services`, poll: polling.services });

    const chain = sfn.Chain.start(plan).next(perServer).next(close).next(closed).next(allSteady);
    this.startState = plan;
    this.endStates = chain.endStates;
  }
}
