/**
 * How the nodes of a group run. The value is what the `Mode` / `SlaveMode` stack parameters hold, so
 * the staged upgrade switches it with a parameter-only stack update (seed 000 steps 2, 4 and 8).
 */
export class ClusterMode {
  /** Clustered: HA member (3.5), core or read replica (4.4), primary or secondary (5.x, 2025.x). */
  public static readonly HA = new ClusterMode('HA');
  /** Standalone: the node forms a cluster of one, isolated from the others. */
  public static readonly SINGLE = new ClusterMode('SINGLE');

  /** Every value the stack parameters allow. */
  public static readonly ALLOWED_VALUES: string[] = ['HA', 'SINGLE'];

  private constructor(
    /** The stack parameter value. */
    public readonly value: string,
  ) {}
}
