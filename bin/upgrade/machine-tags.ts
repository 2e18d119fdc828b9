/**
 * The tags the upgrade construct puts on its state machine so the CLI finds the SSM parameters it works
 * with, whatever the stack named them.
 */
import { ListTagsForResourceCommand, SFNClient } from '@aws-sdk/client-sfn';
import { OPERATOR_TAGS } from '../../lib/private/operator-parameters';
import { RefusedError } from './options';

/** The lock parameter's name (JSON {executionArn, expiresAt, acquiredAt, stackName}). */
export const LOCK_PARAMETER_TAG = OPERATOR_TAGS.lockParameter;
/** The abort-request parameter's name (JSON {executionArn, requestedAt, by, reason}). */
export const ABORT_PARAMETER_TAG = OPERATOR_TAGS.abortParameter;

export interface MachineParameters {
  readonly lockParameterName?: string;
  readonly abortParameterName?: string;
}

export async function machineParameters(sfn: SFNClient, stateMachineArn: string): Promise<MachineParameters> {
  const out = await sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
  const tag = (key: string) => out.tags?.find((t) => t.key === key)?.value || undefined;
  return { lockParameterName: tag(LOCK_PARAMETER_TAG), abortParameterName: tag(ABORT_PARAMETER_TAG) };
}

/** The parameter a tag names, or a refusal saying which tag is missing. */
export function requireTagged(name: string | undefined, tag: string, stateMachineArn: string, what: string): string {
  if (!name) {
    throw new RefusedError(
      `state machine ${stateMachineArn} has no tag ${tag}, so the ${what} parameter is unknown: ` +
      'deploy the upgrade stack with this version of cdk-neo4j-ecs-upgrades first',
    );
  }
  return name;
}
