/**
 * How many members a health gate expects after a stage, written against the plan the preflight
 * computed (`$.plan`), so handlers never need to know stage names.
 */
export class GateMembers {
  /** A fixed count, e.g. 1 while the cluster runs as a single master. */
  public static exactly(count: number): GateMembers {
    return new GateMembers({ expectedMembers: count });
  }

  /** The number at a path of the state, e.g. `$.plan.targetCapacity`. */
  public static at(path: string): GateMembers {
    return new GateMembers({ 'expectedMembers.$': path });
  }

  /** The sum of the numbers at two paths of the state. */
  public static sumOf(first: string, second: string): GateMembers {
    return new GateMembers({ 'expectedMembers.$': `States.MathAdd(${first}, ${second})` });
  }

  private constructor(
    /** The payload entry the health gate reads: `expectedMembers` or `expectedMembers.$`. */
    public readonly payloadEntry: { [key: string]: unknown },
  ) {}
}
