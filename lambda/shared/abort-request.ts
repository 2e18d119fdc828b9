import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isAwsError } from './aws-error';
import { AbortRequestedError, InvalidInputError } from './errors';
import { requireParameterName } from './name-checks';
import { requireString, show } from './input-checks';
import { Logger } from './log';
import { readJsonParameter } from './ssm-json';

/**
 * An operator's request to abort one execution, as the CLI writes it to the abort parameter
 * (`<lock>/abort`): `{"executionArn", "requestedAt", "by", "reason"}`.
 */
export interface AbortRequestRecord {
  readonly executionArn: string;
  readonly requestedAt?: string;
  readonly by?: string;
  readonly reason?: string;
}

/** Where a forward step looks for an abort request (handler input field `abortRequest`). */
export interface AbortCheck {
  /** The abort parameter, e.g. `/neo4j-upgrades/<env>/lock/abort`. */
  readonly parameterName: string;
  /** `$$.Execution.Id`: only a request naming it is honoured. */
  readonly executionArn: string;
}

/** The optional `abortRequest` input field, checked before any call. */
export function optionalAbortCheck(value: unknown): AbortCheck | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(`abortRequest must be an object {parameterName, executionArn}, got ${show(value)}`);
  }
  const v = value as Record<string, unknown>;
  requireParameterName(v.parameterName, 'abortRequest.parameterName');
  requireString(v.executionArn, 'abortRequest.executionArn');
  return v as unknown as AbortCheck;
}

/**
 * A safe point: throws AbortRequestedError when the abort parameter holds a request for this execution.
 * A request for another execution (a stale one) or an unreadable value is logged and ignored.
 */
export async function stopIfAbortRequested(ssm: SSMClient, log: Logger, check: AbortCheck | undefined): Promise<void> {
  if (!check) return;
  const stored = await readJsonParameter<AbortRequestRecord>(ssm, check.parameterName);
  if (!stored) return;
  const request = stored.value;
  if (typeof request?.executionArn !== 'string') {
    log.warn('abort parameter holds no request; ignored', { parameterName: check.parameterName, value: show(stored.raw) });
    return;
  }
  if (request.executionArn !== check.executionArn) {
    log.info('abort request names another execution; ignored', { parameterName: check.parameterName, requestFor: request.executionArn });
    return;
  }
  log.warn('abort requested: taking the rollback path', { ...request });
  const by = request.by ? ` by ${show(request.by)}` : '';
  const at = request.requestedAt ? ` at ${show(request.requestedAt)}` : '';
  const why = request.reason ? `: ${show(request.reason)}` : '';
  throw new AbortRequestedError(`abort requested${by}${at}${why} (${check.parameterName})`);
}

/**
 * Marks this execution's abort request consumed by deleting it; a request for another execution, or
 * none, is left alone. Returns whether one was consumed.
 */
export async function consumeAbortRequest(ssm: SSMClient, parameterName: string, executionArn: string): Promise<boolean> {
  const stored = await readJsonParameter<AbortRequestRecord>(ssm, parameterName);
  if (stored?.value?.executionArn !== executionArn) return false;
  try {
    await ssm.send(new DeleteParameterCommand({ Name: parameterName }));
  } catch (err) {
    if (!isAwsError(err, 'ParameterNotFound')) throw err;
  }
  return true;
}
