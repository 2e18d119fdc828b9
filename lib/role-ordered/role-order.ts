import { Neo4jUpgradesValidationError } from '../errors';
import { RoleGate } from './role-gate';
import { RoleStep } from './role-step';

/**
 * The order in which the roles of a cluster are upgraded, one server at a time, and each role's gate. Data,
 * not code: another role-ordered database declares its own order and reuses the procedure.
 */
export class RoleOrder {
  /**
   * ArangoDB 3.x (seed 003): agents, then DB servers under supervision maintenance, then coordinators.
   */
  public static readonly ARANGODB = new RoleOrder([
    { role: 'agents', gate: RoleGate.AGENCY_IN_SYNC },
    { role: 'dbServers', gate: RoleGate.DB_SERVER_HEALTHY_SHARDS_IN_SYNC, underMaintenance: true },
    { role: 'coordinators', gate: RoleGate.COORDINATOR_ANSWERING },
  ]);

  /** An order of one's own: at least one role, each named once, at most one role under maintenance. */
  public static of(steps: RoleStep[]): RoleOrder {
    return new RoleOrder(steps);
  }

  private constructor(
    /** The roles, first upgraded first. */
    public readonly steps: RoleStep[],
  ) {
    this.validate();
  }

  /** The roles' names, in order. */
  public get roles(): string[] {
    return this.steps.map((s) => s.role);
  }

  private validate(): void {
    if (this.steps.length === 0) throw new Neo4jUpgradesValidationError('roleOrder', '[]', 'needs at least one role');
    const seen = new Set<string>();
    for (const [i, step] of this.steps.entries()) {
      if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(step.role)) {
        throw new Neo4jUpgradesValidationError(`roleOrder[${i}].role`, JSON.stringify(step.role), 'must be a letter then up to 39 letters, digits or dashes');
      }
      if (seen.has(step.role)) throw new Neo4jUpgradesValidationError(`roleOrder[${i}].role`, JSON.stringify(step.role), 'is named twice');
      seen.add(step.role);
    }
    const maintained = this.steps.filter((s) => s.underMaintenance);
    if (maintained.length > 1) {
      throw new Neo4jUpgradesValidationError('roleOrder', maintained.map((s) => s.role).join(', '), 'at most one role may run under maintenance');
    }
  }
}
