import * as http from 'node:http';
import type { ArangoEmulator } from './emulator';
import { readBody, sendJson } from './http';
import { EmulatorInputError } from './versions';

/**
 * The emulator's own control API, standing in for what a procedure does to processes on ECS. Not ArangoDB's:
 * every path starts with /_emulator and it listens on its own port.
 *   GET  /_emulator/state
 *   POST /_emulator/servers/{id}/stop
 *   POST /_emulator/servers/{id}/auto-upgrade   {"version":"3.4.2"}  one run with --database.auto-upgrade=true
 *   POST /_emulator/servers/{id}/start          {"version":"3.4.2"}  a normal start with that binary
 *   PUT  /_emulator/servers/{id}/faults         ServerFaults (replaces the server's faults)
 *   POST /_emulator/servers/{id}/store          {"storeVersion":30323} the data directory swapped (a restored volume), while stopped
 *   PUT  /_emulator/maintenance                 {"seconds":N} on (as if set before), {"seconds":0} off
 *   GET  /_emulator/events                      every stop, run, start, store swap and maintenance switch, in order
 * Runs answer 200 with { exitCode, exitCodeName, status, storeVersion }; bad input answers 400 naming the field.
 */
export function controlApi(emulator: ArangoEmulator): http.RequestListener {
  return (req, res) => {
    handle(emulator, req, res).catch((err: Error) => {
      sendJson(res, err instanceof EmulatorInputError ? 400 : 500, { error: err.message });
    });
  };
}

function versionOf(body: Record<string, unknown>): string {
  if (typeof body.version !== 'string') throw new EmulatorInputError(`body.version must be a string, got ${JSON.stringify(body.version)}`);
  return body.version;
}

async function handle(emulator: ArangoEmulator, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const raw = await readBody(req);
  let body: Record<string, unknown>;
  try {
    body = raw ? JSON.parse(raw) : {};
  } catch {
    throw new EmulatorInputError(`body must be JSON, got ${JSON.stringify(raw.slice(0, 200))}`);
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method === 'GET' && path === '/_emulator/state') return sendJson(res, 200, emulator.snapshot());
  if (req.method === 'GET' && path === '/_emulator/events') return sendJson(res, 200, { events: emulator.cluster.events });
  if (req.method === 'PUT' && path === '/_emulator/maintenance') {
    const seconds = body.seconds;
    if (!Number.isInteger(seconds) || (seconds as number) < 0) throw new EmulatorInputError(`body.seconds must be a whole number >= 0, got ${JSON.stringify(seconds)}`);
    emulator.cluster.setMaintenance(seconds === 0 ? { mode: 'off' } : { mode: 'on', seconds: seconds as number }, 'control');
    return sendJson(res, 200, emulator.snapshot());
  }
  const match = /^\/_emulator\/servers\/([^/]+)\/([a-z-]+)$/.exec(path);
  const id = decodeURIComponent(match?.[1] ?? '');
  switch (`${req.method} ${match?.[2]}`) {
    case 'POST stop':
      return sendJson(res, 200, await emulator.stop(id));
    case 'POST auto-upgrade':
      return sendJson(res, 200, await emulator.autoUpgrade(id, versionOf(body)));
    case 'POST start':
      return sendJson(res, 200, await emulator.start(id, versionOf(body)));
    case 'POST store': {
      emulator.cluster.restoreStore(id, body.storeVersion as number);
      return sendJson(res, 200, emulator.snapshot());
    }
    case 'PUT faults':
      return sendJson(res, 200, { id, faults: emulator.setFaults(id, body) });
  }
  sendJson(res, 404, { error: `no control route ${req.method} ${path}` });
}
