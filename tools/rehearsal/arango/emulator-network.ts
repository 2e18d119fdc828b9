/**
 * The rehearsal's network for the ArangoDB procedure: the synthesized app keeps its production addresses
 * (http://agent-1.arango.internal:8531, ...), and this fetch resolves each server's address to the
 * emulator's listener for that server, as DNS would to the ECS task. Nothing in the handlers changes.
 */
import type { Fetch } from '../../../lambda/shared/arango-http';
import type { ArangoEmulator } from '../../arangodb-emulator';

export function emulatorFetch(emulator: ArangoEmulator, servers: ReadonlyArray<{ serverId: string; endpoint: string }>): Fetch {
  const origins = new Map(servers.map((s) => [new URL(s.endpoint).origin, s.serverId]));
  return (url, init) => {
    const u = new URL(url);
    const serverId = origins.get(u.origin);
    if (!serverId) return Promise.reject(new TypeError(`fetch failed`, { cause: { code: 'ENOTFOUND', message: `${u.host} does not resolve in the rehearsal` } }));
    return fetch(`${emulator.url(serverId)}${u.pathname}${u.search}`, init);
  };
}
