import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { retryTransientErrors } from '../private/transient-retry';
import { AuxiliaryHook } from './auxiliary-hook';
import { IRoleOrderedTarget } from './role-ordered-target';

/** One auxiliary hook of the target, named for the console. */
interface NamedHook {
  readonly hook: AuxiliaryHook;
  readonly what: string;
}

/** The target's hooks in seed 003's order before the upgrade (replication, then restarts). */
export function hooksOf(target: IRoleOrderedTarget): NamedHook[] {
  return [
    ...(target.replicationHook ? [{ hook: target.replicationHook, what: 'DC2DC replication' }] : []),
    ...(target.restartPolicyHook ? [{ hook: target.restartPolicyHook, what: 'automatic restarts' }] : []),
  ];
}

/**
 * Invokes the operator's hook function with `{action, executionArn, cluster}`; transient Lambda errors are
 * retried, anything else goes to `onFailure` with the error at `$.error`.
 */
export function hookStep(scope: Construct, name: string, fn: AuxiliaryHook['stop'], action: 'stop' | 'restore', onFailure: sfn.IChainable): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ action, 'executionArn.$': '$$.Execution.Id', 'cluster.$': '$.cluster' }),
    resultSelector: { 'Payload.$': '$.Payload' },
    resultPath: sfn.JsonPath.DISCARD,
    retryOnServiceExceptions: false,
  });
  retryTransientErrors(task);
  task.addCatch(onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
  return task;
}

/** The stop steps before the first server goes down (replication first, then restarts, as seed 003 steps 1 and 3). */
export function stopHooks(scope: Construct, target: IRoleOrderedTarget, onFailure: sfn.IChainable): sfn.IChainable[] {
  return hooksOf(target).map((h) => hookStep(scope, `Before: stop ${h.what}`, h.hook.stop, 'stop', onFailure));
}

/** The restore steps, in reverse (restarts first, then replication, as seed 003 steps 9 and 11). */
export function restoreHooks(scope: Construct, prefix: string, target: IRoleOrderedTarget, onFailure: sfn.IChainable): sfn.IChainable[] {
  return hooksOf(target).reverse().map((h) => hookStep(scope, `${prefix}: restore ${h.what}`, h.hook.restore, 'restore', onFailure));
}
