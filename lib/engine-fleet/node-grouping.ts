import { Neo4jUpgradesValidationError } from '../errors';
import { EngineNode } from './engine-node';

/** One group of a fleet's nodes, upgraded together. */
export interface EngineNodeGroup {
  /** `group-1`, `group-2`, ... in upgrade order. */
  readonly groupId: string;
  readonly nodes: EngineNode[];
}

/**
 * How a fleet's nodes are split into the groups upgraded one after the other (seed 002: "node by node or
 * group by group, e.g. 33 %"). Membership is stable: nodes are taken in the order of their ids, so the same
 * fleet always gives the same groups, across retries and executions.
 */
export class NodeGrouping {
  /** Groups of `size` nodes (the last one may be smaller). */
  public static ofSize(size: number): NodeGrouping {
    return new NodeGrouping('size', size);
  }

  /** Groups of `percent` % of the fleet, rounded up (never 0 nodes); `percent` in (0, 100). */
  public static percentage(percent: number): NodeGrouping {
    return new NodeGrouping('percentage', percent);
  }

  /** One node at a time: the seed's "no downtime if node by node is upgraded". */
  public static readonly ONE_BY_ONE = NodeGrouping.ofSize(1);

  private constructor(
    /** `size` or `percentage`. */
    public readonly kind: string,
    /** Nodes per group, or percent of the fleet. */
    public readonly value: number,
  ) {
    this.validate();
  }

  /** The nodes per group for a fleet of `fleetSize` nodes; refused when a group would leave no node in service. */
  public groupSize(fleetSize: number): number {
    const size = this.kind === 'size' ? this.value : Math.ceil((fleetSize * this.value) / 100);
    if (size >= fleetSize) {
      throw new Neo4jUpgradesValidationError('grouping', this.describe(),
        `a group of ${size} of the fleet's ${fleetSize} node(s) would leave no node in service`);
    }
    return size;
  }

  /** The groups of `nodes`, in upgrade order. */
  public groupsOf(nodes: EngineNode[]): EngineNodeGroup[] {
    const size = this.groupSize(nodes.length);
    const ordered = [...nodes].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    const groups: EngineNodeGroup[] = [];
    for (let i = 0; i < ordered.length; i += size) {
      groups.push({ groupId: `group-${groups.length + 1}`, nodes: ordered.slice(i, i + size) });
    }
    return groups;
  }

  /** `size 1`, `33 %` */
  public describe(): string {
    return this.kind === 'size' ? `size ${this.value}` : `${this.value} %`;
  }

  private validate(): void {
    if (this.kind === 'size' && (!Number.isInteger(this.value) || this.value < 1)) {
      throw new Neo4jUpgradesValidationError('grouping.size', String(this.value), 'must be an integer of at least 1');
    }
    if (this.kind === 'percentage' && !(Number.isFinite(this.value) && this.value > 0 && this.value < 100)) {
      throw new Neo4jUpgradesValidationError('grouping.percentage', String(this.value), 'must be in (0, 100)');
    }
  }
}
