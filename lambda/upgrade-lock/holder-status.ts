import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { awsErrorName } from '../shared/aws-error';

/** The error a procedure's rollback ends with when it failed itself: the lock is kept on purpose. */
export const ROLLBACK_FAILED_ERROR = 'RollbackFailed';

/**
 * What Step Functions says about the lock's holder:
 * - `running`: the holder still runs, the lock is live;
 * - `ended`: the holder ended (succeeded, failed, timed out, aborted): its lock may be taken over;
 * - `kept`: the holder's rollback failed: the lock is kept for an operator (a half-restored cluster);
 * - `unknown`: Step Functions does not know it or may not be asked: only the expiry frees the lock.
 */
export type HolderStatus =
  | { readonly state: 'running' }
  | { readonly state: 'ended'; readonly status: string }
  | { readonly state: 'kept'; readonly status: string }
  | { readonly state: 'unknown'; readonly reason: string };

export async function holderStatus(sfn: SFNClient, executionArn: string): Promise<HolderStatus> {
  try {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = out.status ?? 'UNKNOWN';
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return { state: 'running' };
    if (status === 'FAILED' && out.error === ROLLBACK_FAILED_ERROR) return { state: 'kept', status };
    return { state: 'ended', status };
  } catch (err) {
    const name = awsErrorName(err);
    // Not a dead holder, only one we cannot see: an ARN Step Functions never had (or forgot after its 90
    // days), or an execution of a state machine this function may not describe.
    if (name === 'ExecutionDoesNotExist' || name === 'AccessDeniedException' || name === 'InvalidArn') {
      return { state: 'unknown', reason: name };
    }
    throw err;
  }
}
