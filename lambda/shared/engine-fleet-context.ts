/** `$.cluster` of a schema-first rolling upgrade (lib/engine-fleet/engine-fleet-task-context.ts writes it). */
export interface EngineFleetNode {
  readonly nodeId: string;
  /** ECS service running the node (desired count 1). */
  readonly serviceName: string;
}

export interface EngineFleetGroup {
  readonly groupId: string;
  /** "2/3": its place in the upgrade order. */
  readonly position: string;
  readonly nodes: readonly EngineFleetNode[];
}

export interface EngineFleetContext {
  readonly stackName: string;
  readonly fleetName: string;
  readonly ecsClusterName: string;
  readonly targetGroupArn: string;
  readonly enginePort: number;
  readonly engineContainerName: string;
  readonly databaseSecretArn: string;
  readonly databaseSnapshot: { readonly kind: string; readonly identifier: string };
  readonly schemaTask: {
    readonly taskDefinition: string;
    readonly containerName: string;
    readonly subnets: readonly string[];
    readonly securityGroups: readonly string[];
    readonly databaseType: string;
  };
  readonly nodes: readonly EngineFleetNode[];
  /** The groups in upgrade order, fixed at synth. */
  readonly nodeGroups: readonly EngineFleetGroup[];
}

/** The plan engine-validate-input returns (`$.plan`). */
export interface EngineFleetPlan {
  readonly stackName: string;
  readonly fromImage: string;
  readonly toImage: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** A minor step: the schema task runs first. A patch within a minor needs none. */
  readonly schemaStep: boolean;
  readonly groups: readonly EngineFleetGroup[];
  readonly lockTtlSeconds: number;
  /** `none` or `between-groups`. */
  readonly approvalMode: string;
  readonly timeouts: { readonly approvalSeconds: number };
  readonly warnings: string[];
}
