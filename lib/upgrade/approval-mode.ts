/**
 * When the staged upgrade waits for an operator (seed 000 step 3, "manual migrations").
 * The value is what the execution input's `approvalMode` holds.
 */
export class ApprovalMode {
  /** Never wait: the procedure needs no manual migration. */
  public static readonly NONE = new ApprovalMode('none');
  /** Wait once, after the master's store is upgraded and before the cluster goes back to HA. */
  public static readonly AFTER_STORE_UPGRADE = new ApprovalMode('after-store-upgrade');

  /** Schema-first rolling upgrades: wait after each node group is back in service, before the next one. */
  public static readonly BETWEEN_GROUPS = new ApprovalMode('between-groups');

  private constructor(
    /** The execution input value. */
    public readonly value: string,
  ) {}
}
