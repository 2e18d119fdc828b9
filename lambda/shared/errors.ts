/**
 * Named errors. Step Functions Retry/Catch match on `name` (the Lambda's errorType), so each class
 * sets it explicitly: minifiers rename classes, and `name` must survive bundling.
 */
export abstract class UpgradeError extends Error {
  /** Whether a Retry may try again, or the failure must go to rollback. */
  abstract readonly retryable: boolean;
}

function named(name: string, retryable: boolean) {
  return class extends UpgradeError {
    readonly retryable = retryable;
    constructor(message: string, options?: { cause?: unknown }) {
      super(message, options);
      this.name = name;
    }
  };
}

/** Execution input is invalid; nothing was changed. Not retryable. */
export class InvalidInputError extends named('InvalidInputError', false) {}
/** The lock is held by another execution. Not retryable: the second execution fails fast. */
export class LockHeldError extends named('LockHeldError', false) {}
/** The stack is not in a state an upgrade may start from (not *_COMPLETE, or drifted). */
export class StackNotReadyError extends named('StackNotReadyError', false) {}
/**
 * A stage's change set would replace or remove a guarded resource (volume key, credentials secret, node
 * group, ECS cluster or service, launch template); nothing was executed. Not retryable: the same
 * parameters give the same change set, so the stage goes to rollback and the change set stays for review.
 */
export class ChangeSetRefusedError extends named('ChangeSetRefusedError', false) {}
/** A stack update ended in a rollback status. Carries the stack's status reason. */
export class StackUpdateFailedError extends named('StackUpdateFailedError', false) {}
/** Something is still in progress; Retry with backoff is the polling loop. */
export class StillInProgressError extends named('StillInProgressError', true) {}
/** A database health gate did not pass yet (may pass after a retry, else rollback). */
export class HealthGateError extends named('HealthGateError', true) {}
/** A guard found the cluster in a state the procedure cannot continue from. */
export class PreconditionFailedError extends named('PreconditionFailedError', false) {}
/** An EBS snapshot (or snapshot copy) ended in state `error`. Not retryable: a new snapshot is needed. */
export class SnapshotFailedError extends named('SnapshotFailedError', false) {}
/** The migrated database differs from the source or the baseline. Not retryable: roll back. */
export class ValidationMismatchError extends named('ValidationMismatchError', false) {}
/** AWS throttled or failed transiently. */
export class TransientAwsError extends named('TransientAwsError', true) {}
/** A Cypher migration was refused by the database, or changed since it was applied. Not retryable: roll back. */
export class MigrationFailedError extends named('MigrationFailedError', false) {}
/**
 * An operator asked this execution to abort (the abort parameter names it). Not retryable: the step's
 * Catch takes the procedure's own rollback path, where StopExecution would skip every Catch.
 */
export class AbortRequestedError extends named('AbortRequestedError', false) {}
/** A server's one-off `--database.auto-upgrade=true` run exited with an error. Not retryable: roll back. */
export class AutoUpgradeFailedError extends named('AutoUpgradeFailedError', false) {}
/** A server refused to start with the new image (e.g. arangod exit 11: upgrade required). Not retryable. */
export class ServerStartFailedError extends named('ServerStartFailedError', false) {}
/** The one-off schema task exited with an error (its scripts run one transaction each). Not retryable: roll back. */
export class SchemaStepFailedError extends named('SchemaStepFailedError', false) {}
/** An engine of a node group did not pass the engine-level check (it answers, its job executor runs). Retried by the check's poll, then rollback. */
export class EngineCheckFailedError extends named('EngineCheckFailedError', true) {}
/** A node group's targets did not get healthy behind the load balancer. Retried by the gate's poll, then rollback. */
export class TargetsUnhealthyError extends named('TargetsUnhealthyError', true) {}
/** A bake alarm went into ALARM, or the probe through the endpoint failed, while traffic was on green. Not retryable: switch back. */
export class BakeFailedError extends named('BakeFailedError', false) {}
/** A compatibility query errored or returned other rows on green. Not retryable: stop before the switch. */
export class CompatibilityMismatchError extends named('CompatibilityMismatchError', false) {}
/** Blue's writes stayed frozen longer than the procedure's bound before the switch. Not retryable: thaw blue, stop. */
export class WriteFreezeExceededError extends named('WriteFreezeExceededError', false) {}
/** The same queries ran slower on green than the allowed ratio. Not retryable: stop before the switch. */
export class PerformanceRegressionError extends named('PerformanceRegressionError', false) {}
