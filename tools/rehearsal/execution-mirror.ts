/**
 * Each rehearsal execution runs in aws-local-stepfunctions, which Step Functions' API does not see. So
 * the harness mirrors it in moto's Step Functions (StartExecution with the same name on the deployed
 * state machine when the run starts, StopExecution when it ends): the lock's DescribeExecution on a holder
 * then gets moto's real answer, RUNNING while the run lasts and ABORTED after it (moto has no other end
 * status; the lock only asks whether the holder still runs).
 */
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ClientSet } from './aws-clients';

export class ExecutionMirror {
  private constructor(private readonly harness: ClientSet, public readonly executionArn: string) {}

  /** Starts the mirror; its ARN is the one the run's `$$.Execution.Id` carries. */
  public static async start(harness: ClientSet, stateMachineArn: string, name: string, input: unknown): Promise<ExecutionMirror> {
    const out = await harness.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input ?? null) }));
    return new ExecutionMirror(harness, String(out.executionArn));
  }

  /** The run ended (any outcome): the execution no longer runs. */
  public async stop(): Promise<void> {
    await this.harness.sfn.send(new StopExecutionCommand({ executionArn: this.executionArn, cause: 'the rehearsal run ended' }));
  }
}
