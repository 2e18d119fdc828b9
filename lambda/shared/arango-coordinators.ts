import { RoleOrderedContext, RoleOrderedServer } from './role-ordered-context';

/** The gate id of the role whose servers answer the cluster-wide API (health, inventory, maintenance). */
export const COORDINATOR_GATE = 'coordinator-answering';

/** The coordinators: the servers of the role gated as coordinators. */
export function coordinatorsOf(cluster: RoleOrderedContext): RoleOrderedServer[] {
  const roles = cluster.roleOrder.filter((r) => r.gate === COORDINATOR_GATE).map((r) => r.role);
  return cluster.servers.filter((s) => roles.includes(s.role));
}
