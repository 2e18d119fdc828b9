import { statePath } from './state-document';

/** The lock release: only this execution's lock is released. */
export const RELEASE_LOCK = {
  'cluster.$': statePath('cluster'), action: 'release', 'parameterName.$': statePath('settings.lockParameterName'), 'executionArn.$': '$$.Execution.Id',
  // The abort request this execution honoured (or came too late for) is consumed with the lock.
  'abortParameterName.$': statePath('settings.abortParameterName'),
};

/** A forward step that is a safe point: it looks for an operator's abort request for this execution first. */
export const ABORT_CHECK = {
  abortRequest: { 'parameterName.$': statePath('settings.abortParameterName'), 'executionArn.$': '$$.Execution.Id' },
};

/** Where a procedure that froze writes keeps the freeze, the thaw and a thaw's error (`thawError`). */
export const WRITE_FREEZE_PATH = '$.writeFreeze';

/** Where a thaw that failed keeps its error (the upgrade's outcome stands; the execution then fails naming it). */
export const THAW_ERROR_PATH = `${WRITE_FREEZE_PATH}.thawError`;

/** The Fail state that ends an upgrade whose final thaw failed (UpgradeFinish): upgraded, lock released, writes frozen. */
export const THAW_FAILED_END = 'Upgraded, but writes still frozen: the thaw failed';

/** The write freeze's payload on every user database (`databases: '*'`): `freeze` or `thaw`. */
export function everyUserDatabase(action: 'freeze' | 'thaw'): Record<string, unknown> {
  return { 'cluster.$': statePath('cluster'), action, databases: '*' };
}

/**
 * What publish-result reports. Only a failure has `$.error`; a JSONPath to a missing field fails the state.
 * `writeFreeze`: the procedure froze writes before it could fail here, so `$.writeFreeze` exists.
 */
export function resultPayload(outcome: 'SUCCEEDED' | 'ROLLED_BACK', writeFreeze = false): Record<string, unknown> {
  return {
    'cluster.$': statePath('cluster'), outcome, 'executionArn.$': '$$.Execution.Id', 'topicArn.$': statePath('settings.topicArn'),
    'startedAt.$': '$$.Execution.StartTime', 'progress.$': statePath('progress'), 'plan.$': statePath('plan'),
    'snapshots.$': statePath('snapshots'), 'volumes.$': statePath('volumes'),
    ...(outcome === 'SUCCEEDED' ? {} : { 'error.$': statePath('error') }),
    ...(writeFreeze && { 'writeFreeze.$': WRITE_FREEZE_PATH }),
  };
}
