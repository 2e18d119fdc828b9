/** One engine node of a fleet: its own ECS service (one task), behind the fleet's target group. */
export interface EngineNode {
  /** A stable id, unique in the fleet (e.g. `engine-1`); groups are formed in the order of these ids. */
  readonly nodeId: string;
  /** The ECS service that runs it (desired count 1), in the fleet's ECS cluster. */
  readonly ecsServiceName: string;
}
