import * as crypto from 'node:crypto';
import { Clock } from './clock';

/** Lifetime of a JWT from `POST /_open/auth`: one hour, ArangoDB's default session timeout. */
const JWT_LIFETIME_SECONDS = 3600;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Authentication as documented (https://docs.arango.ai/arangodb/3.12/develop/http-api/authentication/):
 * HTTP Basic with the root user's password, or `Authorization: bearer <jwt>` with a token obtained from
 * `POST /_open/auth` ({"username","password"} -> {"jwt"}). Only the root user exists.
 */
export class RootAuth {
  private readonly secret = crypto.randomBytes(32);

  constructor(private readonly rootPassword: string, private readonly clock: Clock) {}

  private sign(unsigned: string): string {
    return crypto.createHmac('sha256', this.secret).update(unsigned).digest('base64url');
  }

  /** The token for valid credentials, or undefined. */
  issueJwt(username: unknown, password: unknown): string | undefined {
    if (username !== 'root' || password !== this.rootPassword) return undefined;
    const iat = Math.floor(this.clock.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(JSON.stringify({ preferred_username: 'root', iss: 'arangodb', iat, exp: iat + JWT_LIFETIME_SECONDS }));
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  accepts(authorization: string | undefined): boolean {
    const [scheme, credentials] = (authorization ?? '').split(' ', 2);
    if (scheme?.toLowerCase() === 'basic' && credentials) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 && decoded.slice(0, colon) === 'root' && decoded.slice(colon + 1) === this.rootPassword;
    }
    if (scheme?.toLowerCase() === 'bearer' && credentials) return this.jwtValid(credentials);
    return false;
  }

  private jwtValid(token: string): boolean {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return false;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number };
    return typeof claims.exp === 'number' && claims.exp * 1000 > this.clock.now();
  }
}
