/**
 * The migration validator compares the WHOLE database with a baseline (counts and checksums per label),
 * so any client write between its baseline and its compare is a mismatch that rolls the upgrade back: on
 * AWS the validated stages need clients that do not write. The rehearsal's client workload writes through
 * them to measure downtime, so the validator's Bolt seam (simulated-bolt.ts) skips the workload's nodes in
 * its node queries (`MATCH (n) ...`; the workload writes no relationships, indexes or constraints).
 */
import type { Driver, Session } from 'neo4j-driver';
import type { World } from '../world';
import { WORKLOAD_LABEL } from './client-workload';

export const HIDDEN_FROM_VALIDATOR = {
  key: 'hiddenFromValidator',
  what: `validator node queries (MATCH (n) ...) skip the client workload's :${WORKLOAD_LABEL} nodes`,
  why: 'the validator compares the whole database with its baseline: a client writing between baseline and compare fails the upgrade (on AWS too); the workload writes through the upgrade to measure downtime',
};

/** `MATCH (n) <rest>` -> `MATCH (n) WHERE NOT n:<workload> WITH n <rest>` (valid before a WHERE or a RETURN). */
export function withoutWorkload(cypher: string): string {
  return cypher.replace(/^(\s*MATCH \(n\))\s+/, `$1 WHERE NOT n:${WORKLOAD_LABEL} WITH n `);
}

type Connect = (...args: unknown[]) => Driver;

/** The validator's connect, with its sessions' queries rewritten (counted in the report's `simulated`). */
export function hidingWorkload(connect: Connect, world: World): Connect {
  const session = (real: Session): Session => new Proxy(real, {
    get(target, prop) {
      if (prop !== 'run') {
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (cypher: string, ...rest: unknown[]) => {
        const hidden = withoutWorkload(cypher);
        if (hidden !== cypher) world.note(HIDDEN_FROM_VALIDATOR);
        return (target.run as (...a: unknown[]) => unknown)(hidden, ...rest);
      };
    },
  });
  return (...args) => new Proxy(connect(...args), {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'session') return (...a: unknown[]) => session((value as (...b: unknown[]) => Session).apply(target, a));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
