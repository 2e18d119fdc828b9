import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stackUpdateChain } from '../../private/stack-update-chain';
import { ProcedurePolling } from '../procedure-polling';
import { StageContext } from '../stage-context';

/** Props of {@link SlotUpdate}. */
export interface SlotUpdateProps {
  /** The handlers and where failures go (each step catches into it). */
  readonly context: StageContext;
  readonly polling: ProcedurePolling;
  /** The state names: `<title>` (the update), `<title>: UPDATE_COMPLETE`, `<title>: service steady`. */
  readonly title: string;
  /** JSONPath of the update: `{ "stage": ..., "parameters": { role: value } }` (server-slots' plan). */
  readonly updatePath: string;
  /**
   * JSONPath of the ECS groups (`server<N>`) to wait for once the update completed.
   * @default - no wait for services
   */
  readonly groupsPath?: string;
  /**
   * JSONPath of the execution's name (update-stack's request token), e.g. an iteration's copy of it.
   * @default '$$.Execution.Name'
   */
  readonly executionNamePath?: string;
  /** Where the results go (`.update`, `.stack`, `.service` under it). */
  readonly resultPath: string;
  /**
   * Each step is a safe point for an operator's abort request (leave it off in an undo).
   * @default false
   */
  readonly abortable?: boolean;
}

/**
 * One parameter-only update planned at run time (its stage and parameters read from the state): the update
 * through the reviewed change set, UPDATE_COMPLETE and, given groups, those ECS services steady. Used to
 * start a slot, stop one and size the main group in the replacement of servers.
 */
export class SlotUpdate extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: SlotUpdateProps) {
    super(scope, id);
    const { title, resultPath } = props;
    const chain = stackUpdateChain(this, props.context, props.polling, {
      names: { update: title, settled: `${title}: UPDATE_COMPLETE`, services: `${title}: service steady` },
      request: { 'executionName.$': props.executionNamePath ?? '$$.Execution.Name', 'stage.$': `${props.updatePath}.stage`, 'parameters.$': `${props.updatePath}.parameters` },
      resultPaths: { update: `${resultPath}.update`, stack: `${resultPath}.stack`, services: `${resultPath}.service` },
      servicesInput: props.groupsPath ? { 'groups.$': props.groupsPath } : undefined,
      abortable: props.abortable ?? false,
    });
    this.startState = chain.startState;
    this.endStates = chain.endStates;
  }
}
