import { outcomeOf } from '../../tools/rehearsal/arango/arango-verdict';

// The end states the rolling, Camunda and ArangoDB matrices read their outcome from.
test('a run ends as its final state says', () => {
  expect(outcomeOf('SUCCEEDED', 'Upgraded (result not published)')).toBe('succeeded');
  expect(outcomeOf('FAILED', 'Rolled back')).toBe('rolled-back');
  // The lock released, the failure's publication failed: rolled back all the same.
  expect(outcomeOf('FAILED', 'Rolled back (result not published)')).toBe('rolled-back');
  expect(outcomeOf('FAILED', 'Rollback failed: lock kept for an operator')).toBe('rollback-failed');
  expect(outcomeOf('FAILED', 'Refused: the execution input is too large')).toBe('refused');
  expect(outcomeOf('FAILED', 'Preflight failed after the lock')).toBe('refused-after-lock');
  expect(outcomeOf('FAILED', 'Something else')).toBe('failed');
});
