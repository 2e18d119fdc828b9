import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * An auxiliary step around the upgrade that the operator's own function performs (seed 003 steps 1/11:
 * stop and re-establish DC2DC replication; 3/9: stop and restore automatic restarts). Each function gets
 * `{ action, executionArn, cluster }` and must be idempotent; `restore` also runs on every failure path.
 */
export interface AuxiliaryHook {
  /** Runs before the first server goes down. */
  readonly stop: lambda.IFunction;
  /** Runs after the last server passed its gate, and on every failure path after `stop` may have run. */
  readonly restore: lambda.IFunction;
}
