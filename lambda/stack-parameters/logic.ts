import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MASKED_VALUE, describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import { requireString } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { SSM_PARAMETER_NAME } from '../shared/name-checks';
import { readJsonParameter } from '../shared/ssm-json';

export interface StackParametersDeps {
  readonly cfn: CloudFormationClient;
  readonly ssm: SSMClient;
  readonly log: Logger;
  readonly now?: () => Date;
}

export interface StackParametersInput {
  readonly cluster: ClusterContext;
  /** The only action: record the stack's parameters before the first stage changes them. */
  readonly action?: 'record';
  /** `$$.Execution.Id` */
  readonly executionArn: string;
  /**
   * SSM parameter for the operators' copy; default `<lockPrefix>/pre-upgrade-parameters`. With neither,
   * the record is only returned (the state keeps it) and a warning is logged.
   */
  readonly parameterName?: string;
  readonly lockPrefix?: string;
}

/** The pre-upgrade record: what a rollback restores. Also stored as JSON in SSM for operators. */
export interface PreUpgradeRecord {
  readonly executionArn: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly stackStatus: string;
  readonly recordedAt: string;
  /** Every stack parameter, key -> value, as DescribeStacks returned it. */
  readonly parameters: Record<string, string>;
  /** NoEcho parameters: DescribeStacks shows them as `****`; a rollback keeps their previous value. */
  readonly maskedKeys: string[];
}

export interface StackParametersOutput extends PreUpgradeRecord {
  /** Where the copy was written; absent when no parameterName or lockPrefix was given. */
  readonly parameterName?: string;
  /** true when this execution had already recorded (a retry): the stored record is returned unchanged. */
  readonly reused: boolean;
}


/**
 * Records every parameter of the stack (DescribeStacks) and writes the record to SSM. Idempotent per
 * execution: if the SSM parameter already holds this execution's record, that record is returned and
 * the stack is not read again, so a retry after the first stage cannot record post-stage values. A
 * record of another execution is overwritten (the lock guarantees that upgrade is over).
 */
export async function logic(deps: StackParametersDeps, input: StackParametersInput): Promise<StackParametersOutput> {
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
  if (input?.action !== undefined && input.action !== 'record') {
    throw new InvalidInputError(`action must be "record", got ${show(input.action)}`);
  }
  const stackName = requireString(input?.cluster?.stackName, 'cluster.stackName');
  requireString(input.executionArn, 'executionArn');
  const parameterName = input.parameterName
    ?? (input.lockPrefix !== undefined ? `${input.lockPrefix.replace(/\/+$/, '')}/pre-upgrade-parameters` : undefined);
  if (parameterName !== undefined && !SSM_PARAMETER_NAME.test(parameterName)) {
    throw new InvalidInputError(
      `parameterName or lockPrefix must give an SSM parameter name, got parameterName=${show(input.parameterName)} ` +
      `lockPrefix=${show(input.lockPrefix)}`,
    );
  }
  if (parameterName === undefined) {
    deps.log.warn('no parameterName or lockPrefix: the record is returned but not written to SSM');
    return { ...(await readRecord(deps, stackName, input.executionArn)), reused: false };
  }

  const existing = await readJsonParameter<PreUpgradeRecord>(deps.ssm, parameterName);
  if (existing?.value?.executionArn === input.executionArn && existing.value.parameters) {
    deps.log.info('pre-upgrade record already written by this execution', { parameterName });
    return { ...existing.value, parameterName, reused: true };
  }
  if (existing) {
    deps.log.warn('replacing the record of another execution', { parameterName, previous: existing.value?.executionArn });
  }

  const record = await readRecord(deps, stackName, input.executionArn);
  await deps.ssm.send(new PutParameterCommand({
    Name: parameterName,
    Value: JSON.stringify(record),
    Type: 'String',
    Overwrite: true,
    // Above 4 KB the parameter needs the advanced tier; Intelligent-Tiering picks it only then.
    Tier: 'Intelligent-Tiering',
    Description: `Parameters of stack ${stackName} before the Neo4j upgrade ${input.executionArn}`.slice(0, 1024),
  }));
  deps.log.info('pre-upgrade parameters recorded', { parameterName, keys: Object.keys(record.parameters).length });
  return { ...record, parameterName, reused: false };
}

async function readRecord(deps: StackParametersDeps, stackName: string, executionArn: string): Promise<PreUpgradeRecord> {
  const stack = await describeStack(deps.cfn, stackName);
  const parameters = stackParameters(stack);
  return {
    executionArn,
    stackName,
    stackId: stack.StackId ?? stackName,
    stackStatus: stack.StackStatus ?? 'UNKNOWN',
    recordedAt: (deps.now ?? (() => new Date()))().toISOString(),
    parameters,
    maskedKeys: Object.keys(parameters).filter((k) => parameters[k] === MASKED_VALUE),
  };
}
