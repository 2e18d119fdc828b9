import { InvalidInputError } from './errors';
import { show } from './input-checks';

/**
 * Input checks for AWS names the upgrade tasks receive (SSM parameters, SNS topics, stage names),
 * thrown as InvalidInputError naming the field and the value, before any call.
 */
export const SSM_PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** A stage key as the state machine names them (`rollImage`, `restore-scale-to-zero`). */
export const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9-_.]{0,63}$/;

export function requireMatch(value: unknown, pattern: RegExp, field: string, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidInputError(`${field} must be ${what}, got ${show(value)}`);
  }
  return value;
}

export const requireParameterName = (value: unknown, field: string) =>
  requireMatch(value, SSM_PARAMETER_NAME, field, 'an SSM parameter name');
export const requireTopicArn = (value: unknown, field: string) => requireMatch(value, SNS_TOPIC_ARN, field, 'an SNS topic ARN');
export const requireStage = (value: unknown, field: string) =>
  requireMatch(value, STAGE_NAME, field, '1-64 characters of letters, digits, - _ .');
