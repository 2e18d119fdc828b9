import { createHash } from 'node:crypto';

const hex = (value: string, length: number) => createHash('sha256').update(value).digest('hex').slice(0, length);

/**
 * A CloudFormation ClientRequestToken for one stage of one execution: `[a-zA-Z][-a-zA-Z0-9]*`, at most
 * 128 characters, readable in the stack's Events tab: `neo4j-upgrade-<stage>-<execution name>-<16 hex>`.
 * The hex is 8 of the execution alone (isTokenOfExecution) and 8 of (execution, stage). The same
 * (execution, stage) always gives the same token, so a retried UpdateStack is recognised.
 */
export function stackRequestToken(execution: string, stage: string): string {
  const name = execution.slice(execution.lastIndexOf(':') + 1);
  const suffix = hex(execution, 8) + hex(JSON.stringify([execution, stage]), 8);
  const readable = `neo4j-upgrade-${stage}-${name}`.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-');
  return `${readable.slice(0, 128 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** Whether a ClientRequestToken was made by stackRequestToken for this execution (any stage). */
export function isTokenOfExecution(token: string | undefined, execution: string): boolean {
  const m = token === undefined ? null : /^neo4j-upgrade-.*-([0-9a-f]{16})$/.exec(token);
  return m !== null && m[1].slice(0, 8) === hex(execution, 8);
}
