/**
 * The approval a running execution waits for, and its task token: the request-approval task in the
 * history names its SSM parameter (its input's `parameterName`); when the history does not carry the
 * input, the OperatorApproval block's `<lock parameter>/approval` stands in. The parameter's record must
 * be for this execution. The operator never handles the token.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ApprovalRecord } from '../../lambda/request-approval/logic';
import { executionEvents, executionShape } from './execution-events';
import { executionProgress } from './execution-progress';
import { machineParameters, requireTagged, LOCK_PARAMETER_TAG } from './machine-tags';
import { RefusedError } from './options';
import { readJsonParameter } from '../../lambda/shared/ssm-json';

export interface ApprovalToAnswer {
  readonly parameterName: string;
  readonly record: ApprovalRecord;
}

export async function pendingApprovalOf(sfn: SFNClient, ssm: SSMClient, stateMachineArn: string, executionArn: string): Promise<ApprovalToAnswer> {
  const found = await pendingApprovalIfAny(sfn, ssm, stateMachineArn, executionArn);
  if (!found) throw new RefusedError(`execution ${executionArn} is not waiting for an approval`);
  return found;
}

/** The pending approval, or undefined when the execution waits for none (refused when it waits but its request is not readable). */
export async function pendingApprovalIfAny(
  sfn: SFNClient, ssm: SSMClient, stateMachineArn: string, executionArn: string,
): Promise<ApprovalToAnswer | undefined> {
  const [events, shape] = await Promise.all([executionEvents(sfn, executionArn), executionShape(sfn, executionArn)]);
  const pending = executionProgress(events, shape).pendingApproval;
  if (!pending) return undefined;
  const parameterName = pending.parameterName ?? `${requireTagged(
    (await machineParameters(sfn, stateMachineArn)).lockParameterName, LOCK_PARAMETER_TAG, stateMachineArn, 'lock',
  )}/approval`;
  const stored = await readJsonParameter<ApprovalRecord>(ssm, parameterName);
  if (!stored) {
    throw new RefusedError(`execution ${executionArn} waits in "${pending.stateName}", but approval parameter ${parameterName} does not exist yet; try again in a minute`);
  }
  const record = stored.value;
  if (typeof record?.taskToken !== 'string' || record.executionArn !== executionArn) {
    throw new RefusedError(
      `approval parameter ${parameterName} holds a request for ${JSON.stringify(record?.executionArn)}, not for ${executionArn}: ` +
      'the request of this execution is not written yet; try again in a minute',
    );
  }
  return { parameterName, record };
}
