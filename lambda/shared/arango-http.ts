import { createHmac } from 'node:crypto';
import { ArangoCredentials } from './arango-credentials';
import { HealthGateError } from './errors';

/** The fetch the handlers call ArangoDB's HTTP API with (globalThis.fetch in Lambda). */
export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  readonly status: number;
  text(): Promise<string>;
}>;

/**
 * A superuser token from the deployment's JWT secret, as the starter makes one: HS256, `iss: arangodb`, a
 * `server_id`. Agents and DB servers accept nothing else (HTTP API, Authentication).
 */
export function superuserToken(jwtSecret: string, nowMs: number): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(nowMs / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'arangodb', server_id: 'role-ordered-upgrade', iat, exp: iat + 300 })}`;
  return `${unsigned}.${createHmac('sha256', jwtSecret).update(unsigned).digest('base64url')}`;
}

export interface ArangoCall {
  readonly fetch: Fetch;
  readonly credentials: ArangoCredentials;
  readonly now: () => Date;
  /** Per call. @default 5000 ms */
  readonly timeoutMs?: number;
}

/** Answer of one call: status and parsed body; a refused connection or timeout is status 0. */
export interface ArangoAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly failure?: string;
}

/** One call to `endpoint + path` with the superuser token (accepted by every role). */
export async function arangoRequest(call: ArangoCall, endpoint: string, method: string, path: string, body?: unknown): Promise<ArangoAnswer> {
  const token = superuserToken(call.credentials.jwtSecret, call.now().getTime());
  try {
    const res = await call.fetch(`${endpoint.replace(/\/+$/, '')}${path}`, {
      method,
      headers: { authorization: `bearer ${token}`, 'content-type': 'application/json', 'x-omit-www-authenticate': '1' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(call.timeoutMs ?? 5000),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text: text.slice(0, 200) };
    }
    return { status: res.status, body: parsed };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { status: 0, body: {}, failure: `${err.cause?.code ?? err.name}: ${err.message}`.slice(0, 300) };
  }
}

/** A GET that must answer 200, else the gate has not passed yet (HealthGateError, retried). */
export async function arangoGet(call: ArangoCall, endpoint: string, path: string): Promise<Record<string, unknown>> {
  const answer = await arangoRequest(call, endpoint, 'GET', path);
  if (answer.status !== 200) {
    throw new HealthGateError(`GET ${endpoint}${path} answered ${answer.status || answer.failure}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  }
  return answer.body;
}
