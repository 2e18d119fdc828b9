import { InvalidInputError } from '../shared/errors';
import { show } from '../shared/input-checks';
import { PlannedServer, RoleOrderedContext } from '../shared/role-ordered-context';

/**
 * The servers in role order, one at a time, with the maintenance switches around the role that runs under
 * maintenance. Refuses a server whose role is not in the order and a role without servers, naming them.
 */
export function planServers(cluster: RoleOrderedContext): PlannedServer[] {
  const roles = cluster.roleOrder.map((r) => r.role);
  for (const [i, server] of cluster.servers.entries()) {
    if (typeof server?.role !== 'string' || server.role.trim() === '') {
      throw new InvalidInputError(`cluster.servers[${i}].role must be a non-empty string, got ${show(server?.role)}`);
    }
    if (!roles.includes(server.role)) {
      throw new InvalidInputError(`cluster.servers[${i}] (${show(server.serverId)}) has the unknown role ${show(server.role)}; the order knows ${roles.join(', ')}`);
    }
  }
  const ordered = cluster.roleOrder.flatMap((step) => {
    const servers = cluster.servers.filter((s) => s.role === step.role);
    if (servers.length === 0) throw new InvalidInputError(`role ${show(step.role)} has no servers in cluster.servers: an empty role cannot be upgraded`);
    return servers.map((s, i) => ({
      ...s, gate: step.gate,
      maintenanceOnBefore: step.underMaintenance && i === 0,
      maintenanceOffAfter: step.underMaintenance && i === servers.length - 1,
    }));
  });
  return ordered.map((s, i) => ({ ...s, position: `${i + 1}/${ordered.length}` }));
}
