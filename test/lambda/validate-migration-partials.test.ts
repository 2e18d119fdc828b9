/**
 * The guard that keeps a pass's partition snapshots (collected in the state until they are combined) far
 * below Step Functions' 256 KiB: a partition's snapshot times the partition count over the budget is a
 * catchable PreconditionFailedError, not a States.DataLimitExceeded that no Catch takes.
 * (test/validator/cli-lambda.test.ts runs the same through a real capture against Neo4j.)
 */
import { PreconditionFailedError } from '../../lambda/shared/errors';
import { checkPartialFitsTheState } from '../../lambda/validate-migration/logic';
import { PROCEDURE_LIMITS, jsonBytes } from '../../lib/private/procedure-limits';
import type { Snapshot } from '../../validator/snapshot';

/** A partition snapshot with `groups` label combinations (what makes a real one large). */
function snapshotWith(groups: number): Snapshot {
  const byLabels = Object.fromEntries(Array.from({ length: groups }, (_, i) => [`Label${i}`, { count: i, checksum: 'f'.repeat(32) }]));
  return {
    format: 'neo4j-migration-snapshot/1', capturedAt: '2026-12-01T00:00:00.000Z', source: {}, mode: 'full', algorithm: 'sum128-sha256',
    keys: {}, partition: { index: 0, count: 1, strategy: 'key-hash' },
    nodes: { total: groups, byLabels, byLabel: byLabels }, relationships: { total: 0, byType: {} },
    schema: { indexes: [], constraints: [] },
  } as unknown as Snapshot;
}

test('partitions whose snapshots add up to the budget pass', () => {
  const snapshot = snapshotWith(10);
  const count = Math.floor(PROCEDURE_LIMITS.validationPartialsBytes / jsonBytes(snapshot));
  expect(() => checkPartialFitsTheState(snapshot, { index: 0, count, strategy: 'key-hash' })).not.toThrow();
});

test('one partition more is refused, naming the sizes and the fix', () => {
  const snapshot = snapshotWith(10);
  const bytes = jsonBytes(snapshot);
  const count = Math.floor(PROCEDURE_LIMITS.validationPartialsBytes / bytes) + 1;
  const error = (() => {
    try {
      checkPartialFitsTheState(snapshot, { index: 3, count, strategy: 'key-hash' });
      return undefined;
    } catch (e) {
      return e as Error;
    }
  })();
  expect(error).toBeInstanceOf(PreconditionFailedError);
  expect(error?.message).toBe(`partition 3 of ${count}: its snapshot is ${bytes} bytes, so ${count} partitions would add about ` +
    `${bytes * count} bytes to the state (at most ${PROCEDURE_LIMITS.validationPartialsBytes}): use fewer validationPartitions`);
});

test('a graph with many label combinations is refused even at the partition cap', () => {
  const large = snapshotWith(200);
  expect(() => checkPartialFitsTheState(large, { index: 0, count: PROCEDURE_LIMITS.validationPartitions, strategy: 'key-hash' }))
    .toThrow(PreconditionFailedError);
});
