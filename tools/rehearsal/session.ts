/**
 * A rehearsal kept open for a caller that starts the executions itself (RehearsalOptions.operate): the
 * deployed stack, its state machine, and `run`, which runs one execution of the real definition with the
 * real handlers on the deployment as it is now. `reset` puts the deployment back to "stack deployed,
 * nodes booted" (the moto state snapshot the fault runs start from) for a run that must start clean.
 */
import { ClientSet } from './aws-clients';
import { MachineModel } from './definition';
import { ExecutionResult, ExecutionSetup } from './executor';

export type SessionRun = Pick<ExecutionSetup, 'name' | 'input' | 'faults' | 'decide' | 'observe' | 'onTask' | 'resume' | 'waitCompletion'>;

export interface RehearsalSession {
  readonly region: string;
  readonly motoEndpoint: string;
  /** The stack holding the state machine. */
  readonly stackName: string;
  readonly stateMachineArn: string;
  readonly model: MachineModel;
  /** The harness's clients on moto (the current deployment's). */
  harness(): ClientSet;
  run(spec: SessionRun): Promise<ExecutionResult>;
  reset(): Promise<void>;
}
