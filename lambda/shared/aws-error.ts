/** Matching AWS SDK v3 service errors by their name (the service's error code) and message. */
export function awsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

export function isAwsError(err: unknown, name: string, messagePattern?: RegExp): boolean {
  if (!(err instanceof Error) || err.name !== name) return false;
  return messagePattern === undefined || messagePattern.test(err.message);
}
