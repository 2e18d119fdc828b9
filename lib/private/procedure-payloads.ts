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

/** What publish-result reports. Only a failure has `$.error`; a JSONPath to a missing field fails the state. */
export function resultPayload(outcome: 'SUCCEEDED' | 'ROLLED_BACK'): Record<string, unknown> {
  return {
    'cluster.$': statePath('cluster'), outcome, 'executionArn.$': '$$.Execution.Id', 'topicArn.$': statePath('settings.topicArn'),
    'startedAt.$': '$$.Execution.StartTime', 'progress.$': statePath('progress'), 'plan.$': statePath('plan'),
    'snapshots.$': statePath('snapshots'), 'volumes.$': statePath('volumes'),
    ...(outcome === 'SUCCEEDED' ? {} : { 'error.$': statePath('error') }),
  };
}
