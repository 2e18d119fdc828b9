import neo4j from 'neo4j-driver';

/** Username and password for Bolt basic auth (from the cluster's credentials secret). */
export interface BoltCredentials {
  readonly username: string;
  readonly password: string;
}

export interface BoltServerInfo {
  /** host:port the driver is connected to. */
  readonly address: string;
  /** `Neo4j/5.26.2` */
  readonly agent: string;
  /** Negotiated Bolt protocol, e.g. `5.8`, or `3.0` for Neo4j 3.5. */
  readonly protocolVersion: string;
}

/** A session's access mode: `write` routes to the leader (of `system`, for administration commands). */
export type BoltAccess = 'read' | 'write';

/**
 * What the health gates (and the membership handler) need from a Bolt connection: the server's identity
 * and queries whose records come back as plain objects (integers as JS numbers). Errors are the driver's
 * (Neo4jError with `code`, e.g. `ServiceUnavailable`, `Neo.ClientError.Security.Unauthorized`).
 */
export interface BoltClient {
  serverInfo(): Promise<BoltServerInfo>;
  /**
   * `database` undefined: the user's home database (the only choice on Bolt 3 / Neo4j 3.5); `access`
   * undefined: read.
   */
  query(cypher: string, params?: Record<string, unknown>, database?: string, access?: BoltAccess): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface BoltOptions {
  /** Connect and acquisition timeout. Default 10 s. */
  readonly timeoutMs?: number;
}

export type BoltConnect = (uri: string, credentials: BoltCredentials, options?: BoltOptions) => BoltClient;

/** The real BoltClient: neo4j-driver, one small pool, no transparent retries (the state machine retries). */
export const connectBolt: BoltConnect = (uri, credentials, options = {}) => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const driver = neo4j.driver(uri, neo4j.auth.basic(credentials.username, credentials.password), {
    disableLosslessIntegers: true,
    connectionTimeout: timeoutMs,
    connectionAcquisitionTimeout: timeoutMs,
    maxConnectionPoolSize: 2,
    maxTransactionRetryTime: 0,
    userAgent: 'cdk-neo4j-ecs-upgrades/health-gate',
  });
  return {
    async serverInfo() {
      const info = await driver.getServerInfo();
      return {
        address: info.address ?? '',
        agent: info.agent ?? '',
        protocolVersion: info.protocolVersion ? `${info.protocolVersion.getMajor()}.${info.protocolVersion.getMinor()}` : '',
      };
    },
    async query(cypher, params = {}, database, access = 'read') {
      const defaultAccessMode = access === 'write' ? neo4j.session.WRITE : neo4j.session.READ;
      const session = driver.session({ ...(database !== undefined && { database }), defaultAccessMode });
      try {
        const result = await session.run(cypher, params);
        return result.records.map((r) => r.toObject());
      } finally {
        await session.close();
      }
    },
    close: () => driver.close(),
  };
};

/** The `code` of a driver error (Neo4jError), or undefined. */
export function boltErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
