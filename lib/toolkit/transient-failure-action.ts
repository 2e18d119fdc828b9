/**
 * What a procedure does when a failure classed as transient (throttling, a Lambda service fault, a wait
 * or gate that ran out of time) outlasts its retries before the point of no return.
 */
export class TransientFailureAction {
  /** Roll back at once (the default): the lock is released and the execution fails. */
  public static readonly ROLL_BACK = new TransientFailureAction('roll-back');
  /**
   * Wait for an operator's decision, with the lock held: approve to run the failed part again from its
   * start (the stage, or the preflight after the lock), reject or let the request time out to roll back.
   * The request goes where approvals go (the topic, `<lock>/approval`, the operator CLI's approve/reject).
   */
  public static readonly ASK_OPERATOR = new TransientFailureAction('ask-operator');

  private constructor(
    /** Shown in the definition's comments and the docs. */
    public readonly value: string,
  ) {}
}
