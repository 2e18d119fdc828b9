/**
 * Thrown at synth when a construct prop is invalid. The message names the prop and the value it got.
 */
export class Neo4jUpgradesValidationError extends Error {
  constructor(
    /** The prop path, e.g. `capacity.desired`. */
    public readonly prop: string,
    /** What the prop got, as written in the message. */
    public readonly value: string,
    reason: string,
  ) {
    super(`Invalid ${prop} (got ${value}): ${reason}`);
    this.name = 'Neo4jUpgradesValidationError';
  }
}
