/**
 * The error name an operator's send-task-failure uses; the state machine's Catch matches it. In its own
 * file so the operator CLI (`upgrade reject`) uses it without loading the handler's SDK clients.
 */
export const APPROVAL_REJECTED_ERROR = 'ApprovalRejected';
