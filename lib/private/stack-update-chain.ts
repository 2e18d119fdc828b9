import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ABORT_CHECK } from './procedure-payloads';
import { statePath } from './state-document';
import type { ProcedurePolling } from '../toolkit/procedure-polling';
import type { StageContext } from '../toolkit/stage-context';
import { UpgradeHandler } from '../toolkit/upgrade-handler';

/** How one parameter-only stack update is laid out in a block's states. */
export interface StackUpdateChainSpec {
  /** The three states' names. */
  readonly names: { readonly update: string; readonly settled: string; readonly services: string };
  /** update-stack's request beside `cluster`: `executionName`, `stage` and `parameters`, literal or `.$` paths. */
  readonly request: { readonly [key: string]: unknown };
  /** Where each result goes. */
  readonly resultPaths: { readonly update: string; readonly stack: string; readonly services: string };
  /** ecs-services-steady's input beside `cluster`, or undefined for no wait on services. */
  readonly servicesInput?: { readonly [key: string]: unknown };
  /** Each step is a safe point for an operator's abort request. */
  readonly abortable: boolean;
  /** A state between the update and the wait for UPDATE_COMPLETE (the point of no return). */
  readonly afterUpdate?: (scope: Construct) => sfn.State;
}

/**
 * The update through the change set update-stack reviews, the wait for UPDATE_COMPLETE, and (given
 * servicesInput) for steady ECS services: the chain ParameterUpdate and SlotUpdate name and feed differently.
 */
export function stackUpdateChain(scope: Construct, ctx: StageContext, polling: ProcedurePolling, spec: StackUpdateChainSpec): { startState: sfn.State; endStates: sfn.INextable[] } {
  const abort = spec.abortable ? ABORT_CHECK : {};
  const update = ctx.step(scope, spec.names.update, UpgradeHandler.UPDATE_STACK, {
    'cluster.$': statePath('cluster'), ...spec.request, ...abort,
  }, { resultPath: spec.resultPaths.update, poll: polling.stack });
  const settled = ctx.step(scope, spec.names.settled, UpgradeHandler.STACK_STATUS, {
    'cluster.$': statePath('cluster'), 'update.$': `${spec.resultPaths.update}.Payload`, ...abort,
  }, { resultPath: spec.resultPaths.stack, poll: polling.stack });
  let chain = sfn.Chain.start(update);
  if (spec.afterUpdate) chain = chain.next(spec.afterUpdate(scope));
  chain = chain.next(settled);
  if (spec.servicesInput) {
    chain = chain.next(ctx.step(scope, spec.names.services, UpgradeHandler.ECS_SERVICES_STEADY, {
      'cluster.$': statePath('cluster'), ...spec.servicesInput, ...abort,
    }, { resultPath: spec.resultPaths.services, poll: polling.services }));
  }
  return { startState: update, endStates: chain.endStates };
}
