import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { statePath } from '../../private/state-document';
import { GateMembers } from '../gate-members';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { UpgradeHandler } from '../upgrade-handler';

/** Props of {@link Neo4jHealthGate}. */
export interface Neo4jHealthGateProps {
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Stage key: the result goes to `$.results.<key>.gate`. */
  readonly key: string;
  /** Prefix of the state name. */
  readonly title: string;
  /** How many members the cluster must report after this stage. */
  readonly expectedMembers: GateMembers;
  /**
   * Mid-roll (the rolling upgrade): also accept the version before the upgrade (the plan's `fromVersion`).
   * @default false
   */
  readonly acceptPreviousVersion?: boolean;
  /**
   * Largest allowed difference of the servers' last committed transaction ids, per database (5.x and later).
   * @default - not checked
   */
  readonly maxTransactionLag?: number;
  /**
   * Where the gate's result goes.
   * @default - `$.results.<key>.gate`
   */
  readonly resultPath?: string;
  /**
   * Name of the gate's state, after the title.
   * @default 'health gate over Bolt'
   */
  readonly stateName?: string;
  /**
   * Leave the gate's failure to the caller (`startState` is the gate's task: add a Catch to it), e.g. a
   * rollback that must go on when the gate fails.
   * @default false
   */
  readonly noCatch?: boolean;
}

/**
 * The health gate over Bolt after a stage, polled until it passes or its budget runs out: the server
 * answers, reports the plan's target version and edition, every member is ready and every database at its
 * requested status, exactly one leader, and the expected member count.
 */
export class Neo4jHealthGate extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: Neo4jHealthGateProps) {
    super(scope, id);
    const gate = props.context.step(this, `${props.title}: ${props.stateName ?? 'health gate over Bolt'}`, UpgradeHandler.HEALTH_GATE, {
      'cluster.$': statePath('cluster'),
      'expectedVersion.$': statePath('plan.toVersion'),
      'expectedEdition.$': statePath('plan.toEdition'),
      ...props.expectedMembers.payloadEntry,
      stage: props.key,
      ...(props.acceptPreviousVersion && { 'acceptedPreviousVersion.$': statePath('plan.fromVersion') }),
      ...(props.maxTransactionLag !== undefined && { maxTransactionLag: props.maxTransactionLag }),
    }, { resultPath: props.resultPath ?? `$.results.${props.key}.gate`, poll: props.polling.gate, pollAlsoOn: ['HealthGateError'], noCatch: props.noCatch });
    this.startState = gate;
    this.endStates = [gate];
  }
}
