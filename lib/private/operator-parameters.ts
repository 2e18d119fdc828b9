/**
 * The SSM parameters operators and the procedure share, all under the lock parameter's path: the abort
 * request the CLI writes and the execution honours at its next safe point.
 */
export function abortParameterNameOf(lockParameterName: string): string {
  return `${lockParameterName}/abort`;
}

/** Tag keys on every procedure's state machine: how the operator CLI finds the lock and the abort request. */
export const OPERATOR_TAGS = {
  lockParameter: 'neo4j-ecs-upgrades:lock-parameter',
  abortParameter: 'neo4j-ecs-upgrades:abort-parameter',
};
