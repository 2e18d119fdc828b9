/**
 * Caps on every prop and execution-input field whose size grows the state or the execution history of
 * Neo4jStagedUpgrade, so an upgrade at its maximum accepted configuration stays far inside Step
 * Functions' quotas (256 KiB per state, 25,000 history events): a state over 256 KiB fails with
 * States.DataLimitExceeded, which no States.ALL Catch takes, so the execution would stop with the lock
 * held and no rollback. The construct checks the props at synth and validate-input checks the execution
 * input in preflight, before any change, against the same numbers. Sized from the rehearsal at these
 * caps (docs/upgrade.md, "Limits"); shared by lib/ and lambda/ (no jsii API).
 */
export const PROCEDURE_LIMITS = {
  /** The execution input as JSON (UTF-8 bytes): it is kept at `$.request` for the whole run. */
  executionInputBytes: 16 * 1024,
  /** The operator's comment, in characters and as JSON in UTF-8 bytes: it is copied into the plan and the result. */
  commentCharacters: 4096,
  commentBytes: 4096,
  /** Clone regions: each adds a Map iteration with its snapshot copy and per-AZ volumes to the state. */
  cloneRegions: 8,
  /** Main group size after the upgrade (targetCapacity / finalCapacity) and before it (DesiredCapacity). */
  mainMembers: 9,
  /** Slave-only nodes (slaveCapacity, SlaveDesiredCapacity). */
  slaveMembers: 3,
  /** Validation partitions: each pass keeps one partial snapshot per partition in the state. */
  validationPartitions: 32,
  /**
   * What the partition snapshots of one pass may add up to (each partition checks its own size times
   * the count, and refuses with a catchable error before the combined list could outgrow the state).
   */
  validationPartialsBytes: 64 * 1024,
  /** Cypher migrations: each is one loop of the run-migrations task (7 history events). */
  migrations: 100,
  /** The migrations as JSON (UTF-8 bytes, escapes included): they travel in the run-migrations task input. */
  migrationsBytes: 96 * 1024,
} as const;

/** UTF-8 bytes of a value's JSON: how Step Functions measures a payload. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null) ?? 'null', 'utf8');
}
