/** One server of a role-ordered cluster: its own ECS service (one task), its address and its data volume. */
export interface ClusterServer {
  /** The role it has in the {@link RoleOrder} (e.g. `agents`, `dbServers`, `coordinators`). */
  readonly role: string;
  /** The id the database knows it by (ArangoDB: `AGNT-...`, `PRMR-...`, `CRDN-...`). */
  readonly serverId: string;
  /** The ECS service that runs it (desired count 1), in the target's ECS cluster. */
  readonly ecsServiceName: string;
  /** Where its HTTP API answers, e.g. `http://agent-1.arango.internal:8531`. */
  readonly endpoint: string;
}
