#!/usr/bin/env node
/**
 * Checks the replacing world's real parts alone (no moto, no state machine): one real Neo4j at FROM seeded with
 * the marker nodes, a new member joining at TO on an empty store (ServerSet.join), the SIMULATED store copy
 * (store-copy.ts) into it, then the old one retired (ServerSet.retire). Prints what each store holds; exit 0
 * when the new member runs TO with every marker node and the old one is down.
 *   NEO4J_EMBEDDED_START_TIMEOUT_MS=600000 nice -n 19 npx ts-node --transpile-only tools/rehearsal/replacing/join-check.ts
 */
import '../polyfill';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FROM, TO, image } from '../rolling/index';
import { ServerSet } from '../rolling/server-set';
import { CopyRecord, storeCopy } from './store-copy';

async function main(): Promise<boolean> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'replacing-join-'));
  const say = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const password = 'rehearsal-password';
  const servers = await ServerSet.start(1, image(FROM), work, password, say);
  try {
    const t0 = Date.now();
    await servers.join(2, image(TO), path.join(work, 'server-2-new', 'neo4j'));
    say(`joined in ${((Date.now() - t0) / 1000).toFixed(1)} s; up: ${[1, 2].filter((i) => servers.isUp(i)).join(', ')}`);
    const copies: CopyRecord[] = [];
    await storeCopy(servers, password, copies)([1], 2, 'neo4j');
    await servers.retire(1);
    const s2 = servers.server(2);
    const markers = s2.player.seededNodes;
    say(`copy: ${JSON.stringify(copies)}; server 2 runs ${s2.player.runningVersion}, ${markers} marker nodes; server 1 up: ${servers.isUp(1)}`);
    return s2.player.runningVersion === TO && markers === 100 && !servers.isUp(1) && copies[0]?.markers === 100;
  } finally {
    await servers.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then((ok) => { console.log(ok ? 'JOIN CHECK OK' : 'JOIN CHECK NOT OK'); process.exitCode = ok ? 0 : 1; },
  (e: Error) => { console.error(e.stack ?? e.message); process.exitCode = 3; });
