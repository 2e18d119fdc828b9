import { createHash } from 'node:crypto';

/**
 * A CloudFormation ClientRequestToken for one stage of one execution: `[a-zA-Z][-a-zA-Z0-9]*`, at most
 * 128 characters, readable in the stack's Events tab (`neo4j-upgrade-<stage>-<execution name>-<hash>`).
 * The same (execution, stage) always gives the same token, so a retried UpdateStack is recognised; the
 * hash of both exact strings keeps two inputs that sanitise alike apart.
 */
export function stackRequestToken(execution: string, stage: string): string {
  const name = execution.slice(execution.lastIndexOf(':') + 1);
  const hash = createHash('sha256').update(JSON.stringify([execution, stage])).digest('hex').slice(0, 12);
  const readable = `neo4j-upgrade-${stage}-${name}`.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-');
  return `${readable.slice(0, 128 - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
