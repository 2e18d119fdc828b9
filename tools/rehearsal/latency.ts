/**
 * moto completes snapshots, stack updates and drift detection the moment they start, so the state
 * machine's polling loops (Retry on StillInProgressError) would never run. The rehearsal puts back the
 * one observation AWS always gives: the first time a waiting task looks, the work is still in progress.
 * Each snapshot reads `pending` on its first describe by snapshots-complete, and each stack update reads
 * UPDATE_IN_PROGRESS on the first describe by stack-status after it. The loops then really retry, and
 * the report counts those retries. (Drift detection polls inside its handler, with a real sleep; it is
 * left complete at once.)
 */
import { CallInfo } from './aws-clients';

export class CompletionLatency {
  private readonly snapshotsSeen = new Set<string>();
  private updateSeen = true;
  /** How many observations were made to read "in progress". */
  public count = 0;

  /** Call on every UpdateStack or ExecuteChangeSet: the next stack-status describe sees the update in progress. */
  public stackUpdated(): void {
    this.updateSeen = false;
  }

  /** Rewrites a moto response as a waiting handler would first see it in AWS; notes each change. */
  public rewrite(handler: string, call: CallInfo, output: Record<string, unknown>): Record<string, unknown> {
    if (handler === 'snapshots-complete' && call.service === 'EC2' && call.operation === 'DescribeSnapshots') {
      for (const s of (output.Snapshots ?? []) as Array<Record<string, unknown>>) {
        const key = `${call.region}/${String(s.SnapshotId)}`;
        if (s.State === 'completed' && !this.snapshotsSeen.has(key)) {
          this.snapshotsSeen.add(key);
          s.State = 'pending';
          s.Progress = '42%';
          this.count++;
        }
      }
    }
    if (handler === 'stack-status' && call.service === 'CloudFormation' && call.operation === 'DescribeStacks' && !this.updateSeen) {
      const stack = ((output.Stacks ?? []) as Array<Record<string, unknown>>)[0];
      if (stack && stack.StackStatus === 'UPDATE_COMPLETE') {
        this.updateSeen = true;
        stack.StackStatus = 'UPDATE_IN_PROGRESS';
        this.count++;
      }
    }
    return output;
  }
}
