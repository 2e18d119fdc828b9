/** Size of an Auto Scaling group. */
export interface NodeCapacity {
  /** Minimum number of instances. */
  readonly min: number;
  /** Maximum number of instances. */
  readonly max: number;
  /** Desired number of instances: the number of nodes the group runs. */
  readonly desired: number;
}
