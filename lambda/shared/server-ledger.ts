import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/**
 * Where each server stands in one execution, kept in SSM under the lock parameter's path, so the rollback
 * knows which servers went down and whose store an auto-upgrade run may have rewritten even when the Map
 * that upgraded them failed (its results are lost with it).
 */
export type LedgerState = 'stopping' | 'stopped' | 'upgrading' | 'store-upgraded' | 'started' | 'rolled-back';

export interface LedgerEntry {
  readonly executionArn: string;
  readonly serverId: string;
  readonly state: LedgerState;
  /** The image before the upgrade: what the rollback starts it with. */
  readonly fromImage: string;
  /** Its data volume before the upgrade: the one its pre-upgrade snapshot was taken of. */
  readonly volumeId: string;
  readonly at: string;
}

/** States in which an auto-upgrade run may have rewritten the store: the rollback restores the snapshot. */
export const STORE_MAY_BE_UPGRADED: readonly LedgerState[] = ['upgrading', 'store-upgraded', 'started'];

export function ledgerName(prefix: string, serverId: string): string {
  return `${prefix}/servers/${serverId}`;
}

/** This execution's entry for the server, or undefined (none, or another execution's). */
export async function readLedger(ssm: SSMClient, prefix: string, serverId: string, executionArn: string): Promise<LedgerEntry | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: ledgerName(prefix, serverId) }));
    const entry = JSON.parse(out.Parameter?.Value ?? '{}') as LedgerEntry;
    return entry.executionArn === executionArn ? entry : undefined;
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') return undefined;
    throw e;
  }
}

export async function writeLedger(ssm: SSMClient, prefix: string, entry: LedgerEntry): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: ledgerName(prefix, entry.serverId), Type: 'String', Overwrite: true, Value: JSON.stringify(entry) }));
}
