import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readJsonParameter } from '../shared/ssm-json';
import { Weights } from './weights';

/** The weights a listener had before an execution's first switch step: what its rollback restores. */
export interface SwitchRecord {
  readonly executionId: string;
  readonly listenerArn: string;
  readonly before: Weights;
}

/** Under the lock parameter path, so the procedure's IAM on that path covers it. */
export function switchRecordName(lockParameterName: string): string {
  return `${lockParameterName}/traffic-switch`;
}

/** This execution's record for this listener, if it made one. */
export async function readSwitchRecord(ssm: SSMClient, name: string, executionId: string, listenerArn: string): Promise<SwitchRecord | undefined> {
  const record = (await readJsonParameter<SwitchRecord>(ssm, name))?.value;
  return record?.executionId === executionId && record.listenerArn === listenerArn ? record : undefined;
}

export async function writeSwitchRecord(ssm: SSMClient, name: string, record: SwitchRecord): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(record), Type: 'String', Overwrite: true }));
}
