import { InvalidInputError } from '../shared/errors';
import { show } from '../shared/input-checks';
import { RollingSupport, UPGRADE_PROCEDURES, UpgradeProcedure } from '../shared/neo4j-upgrade-procedure';

/** The procedure an execution runs, as the plan names it. */
export interface ProcedureChoice {
  /** What this execution runs. */
  readonly procedure: UpgradeProcedure;
  /** Whether Neo4j supports a rolling upgrade on this path, and why (or why not). */
  readonly rollingSupported: boolean;
  readonly procedureReason: string;
}

/** The construct each procedure is run by, for messages: the offline one depends on the cluster's layout. */
function constructOf(procedure: UpgradeProcedure, perServer: boolean): string {
  if (procedure === 'rolling') return 'Neo4jRollingUpgrade';
  return perServer ? 'Neo4jOfflineUpgrade (the offline procedure for the per-server layout)' : 'Neo4jStagedUpgrade (the offline procedure)';
}

/**
 * The procedure this execution runs. `runs` is what the state machine can run (baked by the construct);
 * `requested` the operator's (or the construct's default) choice, if any; `perServer` whether the cluster
 * is in the per-server layout (its offline procedure is Neo4jOfflineUpgrade, else Neo4jStagedUpgrade). An operator may always ask for
 * the offline procedure; asking for rolling where Neo4j does not support it is refused, naming the
 * offline procedure, and so is a procedure this state machine does not run. Everything here runs before
 * any change.
 */
export function chooseProcedure(
  support: RollingSupport, runs: UpgradeProcedure, requested: { value: unknown; field: string }, warnings: string[], perServer = false,
): ProcedureChoice {
  const asked = requested.value;
  if (asked !== undefined && !(UPGRADE_PROCEDURES as readonly unknown[]).includes(asked)) {
    throw new InvalidInputError(`${requested.field} must be one of ${UPGRADE_PROCEDURES.join(', ')}, got ${show(asked)}`);
  }
  const wanted = (asked as UpgradeProcedure | undefined) ?? runs;
  if (wanted === 'rolling' && !support.rolling) {
    const field = asked === undefined ? 'this state machine' : `${requested.field} ${show(asked)}`;
    throw new InvalidInputError(
      `${field} asks for a rolling upgrade, which Neo4j does not support here: ${support.reason}; ` +
      `run the offline procedure, ${constructOf('offline', perServer)}`);
  }
  if (wanted !== runs) {
    throw new InvalidInputError(
      `${requested.field} is ${show(asked)}, but this state machine runs the ${runs} procedure; start ${constructOf(wanted, perServer)} instead`);
  }
  if (wanted === 'offline' && support.rolling) {
    warnings.push(`Neo4j supports a rolling upgrade here (${support.reason}); this execution runs the offline procedure`);
  }
  return { procedure: wanted, rollingSupported: support.rolling, procedureReason: support.reason };
}
