/**
 * How the upgrade tasks read a CloudFormation stack status.
 *
 * An upgrade may START from CREATE_COMPLETE, UPDATE_COMPLETE, IMPORT_COMPLETE and also from
 * UPDATE_ROLLBACK_COMPLETE: that status is stable and updatable, and it means CloudFormation put every
 * resource back to the last good template and parameters after a failed update (typically an earlier
 * upgrade attempt whose stage failed). Drift detection then runs against that known-good state, and the
 * pre-upgrade record taken afterwards is exactly what a rollback must return to.
 *
 * Refused: every *_IN_PROGRESS (someone else is changing the stack), every *_FAILED (resources are in an
 * unknown state; an operator must fix the stack first), ROLLBACK_COMPLETE (the stack's creation failed; it
 * can only be deleted), IMPORT_ROLLBACK_COMPLETE (which resources the stack manages is in question) and
 * DELETE_COMPLETE.
 */
export const STARTABLE_STACK_STATUSES: readonly string[] = [
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'IMPORT_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
];

export function isStartableStatus(status: string): boolean {
  return STARTABLE_STACK_STATUSES.includes(status);
}

export function isInProgressStatus(status: string): boolean {
  return status.endsWith('_IN_PROGRESS');
}

/** A settled status that means the last operation did not do what it was asked. */
export function isFailedStatus(status: string): boolean {
  return !isInProgressStatus(status) && (status.includes('ROLLBACK') || status.endsWith('_FAILED'));
}
