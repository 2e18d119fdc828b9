import * as crypto from 'node:crypto';
import { Clock } from './clock';

/** Lifetime of a JWT from `POST /_open/auth`: one hour, ArangoDB's default `--server.session-timeout`. */
const JWT_LIFETIME_SECONDS = 3600;

function signed(secret: string, claims: Record<string, unknown>): string {
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${unsigned}.${crypto.createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/**
 * A superuser token as the starter (`arangodb auth token`) makes it from the deployment's JWT secret:
 * HS256 with `iss: "arangodb"` and a `server_id`. Agents and DB servers accept nothing else.
 */
export function superuserJwt(jwtSecret: string, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  return signed(jwtSecret, { iss: 'arangodb', server_id: 'upgrade-procedure', iat, exp: iat + JWT_LIFETIME_SECONDS });
}

/**
 * Authentication as documented (https://docs.arango.ai/arangodb/3.12/develop/http-api/authentication/):
 * HTTP Basic with the root password, or `Authorization: bearer <jwt>`: a user token from `POST /_open/auth`
 * ({"username","password"} -> {"jwt"}, one hour) or a superuser token signed with the JWT secret. "To access
 * [...] Agency and DB-Server instances a token generated via POST /_open/auth is not good enough": those need
 * the superuser token. Only the root user exists.
 */
export class RootAuth {
  constructor(private readonly rootPassword: string, private readonly jwtSecret: string, private readonly clock: Clock) {}

  /** A user token for valid credentials, or undefined. */
  issueJwt(username: unknown, password: unknown): string | undefined {
    if (username !== 'root' || password !== this.rootPassword) return undefined;
    const iat = Math.floor(this.clock.now() / 1000);
    return signed(this.jwtSecret, { preferred_username: 'root', iss: 'arangodb', iat, exp: iat + JWT_LIFETIME_SECONDS });
  }

  accepts(authorization: string | undefined, superuserOnly: boolean): boolean {
    const [scheme, credentials] = (authorization ?? '').split(' ', 2);
    if (!credentials) return false;
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      return !superuserOnly && decoded === `root:${this.rootPassword}`;
    }
    const claims = scheme.toLowerCase() === 'bearer' ? this.verify(credentials) : undefined;
    if (!claims || claims.iss !== 'arangodb') return false;
    return typeof claims.server_id === 'string' || (!superuserOnly && claims.preferred_username === 'root');
  }

  private verify(token: string): Record<string, unknown> | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    const expected = Buffer.from(crypto.createHmac('sha256', this.jwtSecret).update(`${header}.${payload}`).digest('base64url'));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return typeof claims.exp === 'number' && claims.exp * 1000 > this.clock.now() ? claims : undefined;
  }
}
