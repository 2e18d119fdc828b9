/**
 * The pieces of a fault matrix's reset between runs that every procedure's matrix needs: the stack's
 * parameters back to the baseline (the world reacts as to any stack change), and the lock with its records
 * deleted.
 */
import { UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { ClientSet } from './aws-clients';
import { World } from './world';

/** Updates the stack back to `baseline` when a parameter differs; returns whether it did. */
export async function restoreBaselineParameters(world: World, harness: ClientSet, baseline: Record<string, string>): Promise<boolean> {
  const current = await world.recordParameters();
  if (!Object.keys(baseline).some((k) => baseline[k] !== current[k])) return false;
  await harness.cfn.send(new UpdateStackCommand({
    StackName: world.cluster.stackName, UsePreviousTemplate: true,
    Parameters: Object.keys(current).map((k) => ({ ParameterKey: k, ParameterValue: baseline[k] ?? current[k] })),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
  }));
  world.afterStackChange(current, await world.recordParameters());
  return true;
}

/** Deletes the lock parameter and every record under it (whatever a run left). */
export async function deleteLockAndRecords(harness: ClientSet, lock: string): Promise<void> {
  const records: string[] = [];
  let token: string | undefined;
  do {
    const page = await harness.ssm.send(new GetParametersByPathCommand({ Path: `${lock}/`, Recursive: true, ...(token && { NextToken: token }) }));
    records.push(...(page.Parameters ?? []).map((r) => r.Name ?? ''));
    token = page.NextToken;
  } while (token);
  for (const p of [...records, lock]) await harness.ssm.send(new DeleteParameterCommand({ Name: p })).catch(() => undefined);
}
