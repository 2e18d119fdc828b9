/** What the abort parameter holds: the operator's request to abort one execution (JSON). */
export interface AbortRequest {
  readonly executionArn: string;
  readonly requestedAt: string;
  readonly by: string;
  readonly reason: string;
}
