import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stackUpdateChain } from '../../private/stack-update-chain';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';
import { PointOfNoReturn } from './point-of-no-return';

/** Props of {@link ParameterUpdate}. */
export interface ParameterUpdateProps {
  /** The handlers and where failures go. */
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** Stage key: results go to `$.results.<key>.update|stack|services`. */
  readonly key: string;
  /** Prefix of the state names, e.g. `Stage 1 Roll DockerImage`. */
  readonly title: string;
  /**
   * The stage's parameter overrides by role (the target's `stackParameters` keys): a literal value, or a
   * JSONPath into the state with the key ending in `.$` (`{ 'dockerImage.$': '$.plan.dockerImage' }`).
   * Every other parameter keeps its value.
   */
  readonly parameters: { [role: string]: unknown };
  /**
   * Wait for the target's ECS services to be steady after the stack update.
   * @default true
   */
  readonly waitForServices?: boolean;
  /**
   * This update lets a newer binary open the store (an image roll): mark the point of no return as soon as
   * the update has started, so every later failure restores the pre-upgrade snapshots. A refused or failed
   * update call (nothing started) still only puts the parameters back.
   * @default false
   */
  readonly marksPointOfNoReturn?: boolean;
}

/**
 * A parameter-only stack update through a change set the handler reviews (a stage that would replace or
 * remove a guarded resource is refused with ChangeSetRefusedError before anything runs; a change set
 * still being created is polled), the wait for UPDATE_COMPLETE, then for steady ECS services. Each of the
 * three is a safe point: an operator's abort request for this execution (`<lock>/abort`) fails it with
 * AbortRequestedError into the context's failure handler (the rollback).
 */
export class ParameterUpdate extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: ParameterUpdateProps) {
    super(scope, id);
    const { key, title } = props;
    const results = `$.results.${key}`;
    const chain = stackUpdateChain(this, props.context, props.polling, {
      names: { update: `${title}: update the stack parameters`, settled: `${title}: wait for UPDATE_COMPLETE`, services: `${title}: wait for steady ECS services` },
      request: { 'executionName.$': '$$.Execution.Name', 'stage': key, 'parameters': props.parameters },
      resultPaths: { update: `${results}.update`, stack: `${results}.stack`, services: `${results}.services` },
      servicesInput: (props.waitForServices ?? true) ? {} : undefined,
      abortable: true,
      afterUpdate: props.marksPointOfNoReturn ? (s) => new PointOfNoReturn(s, `${title}: point of no return, the update started`) : undefined,
    });
    this.startState = chain.startState;
    this.endStates = chain.endStates;
  }
}
