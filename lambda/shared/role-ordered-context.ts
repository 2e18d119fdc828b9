/** `$.cluster` of a role-ordered procedure (lib/role-ordered/role-ordered-task-context.ts writes it). */
export interface RoleOrderedServer {
  readonly role: string;
  readonly serverId: string;
  /** ECS service running the server (desired count 1). */
  readonly serviceName: string;
  /** http(s)://host:port of its HTTP API. */
  readonly endpoint: string;
}

export interface RoleStepContext {
  readonly role: string;
  /** lib/role-ordered/role-gate.ts ids. */
  readonly gate: string;
  readonly underMaintenance: boolean;
}

export interface RoleOrderedContext {
  readonly stackName: string;
  readonly ecsClusterName: string;
  readonly dataVolumeName: string;
  readonly environmentName: string;
  /** Secret with `username`, `password`, `jwtSecret`. */
  readonly credentialsSecretArn: string;
  readonly roleOrder: readonly RoleStepContext[];
  readonly servers: readonly RoleOrderedServer[];
}

/** One server's turn in the plan: the Map's items, in role order. */
export interface PlannedServer extends RoleOrderedServer {
  readonly gate: string;
  /** Switch maintenance on before this server (first server of the role under maintenance). */
  readonly maintenanceOnBefore: boolean;
  /** Switch maintenance off after this server (last server of that role). */
  readonly maintenanceOffAfter: boolean;
  /** "3/8": its place in the whole order. */
  readonly position: string;
}

/** The tag that ties a data volume to its server (besides the pool's Name and Environment). */
export const SERVER_TAG = 'upgrade:server';
