/**
 * SIMULATED. The server side of Neo4j 5.x / 2025.x clustering as the operations manual documents it
 * ("Managing servers in a cluster", "Monitor servers"): servers with a state and a health, databases
 * allocated to servers (requested hosting) and the copies they really run (hosting, with a status).
 * Community Neo4j has no clustering: this model stands in for it, it is no evidence of Neo4j's timings.
 */

/** Server states (`SHOW SERVERS` `state`); Deallocated exists from 5.15. */
export type ServerState = 'Free' | 'Enabled' | 'Deallocating' | 'Deallocated' | 'Cordoned' | 'Dropped';
/** `SHOW SERVERS` `health`. */
export type ServerHealth = 'Available' | 'Unavailable';
/** The mode a database is allocated to a server in. */
export type HostingMode = 'primary' | 'secondary';
/** `SHOW DATABASES` `currentStatus` of one copy. */
export type CopyStatus = 'starting' | 'online';

/** A database copy a server runs. */
export interface DatabaseCopy {
  readonly mode: HostingMode;
  status: CopyStatus;
  /** Looks (statements) left before a starting copy is online. */
  startsIn: number;
  /** A world fault: this copy never leaves `starting`. */
  stuck: boolean;
}

export interface EmulatedServer {
  readonly serverId: string;
  name: string;
  readonly address: string;
  state: ServerState;
  health: ServerHealth;
  /** Databases allocated to this server (requestedHosting), `system` excluded: every running server hosts it. */
  readonly allocated: Map<string, HostingMode>;
  /** Copies this server runs (hosting), `system` excluded. */
  readonly copies: Map<string, DatabaseCopy>;
}

export interface EmulatedDatabase {
  readonly name: string;
  readonly primaries: number;
  readonly secondaries: number;
}

/** The model's own error: what Neo4j answers a refused administration command with (code chosen by the emulator). */
export class ServerManagementError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'Neo4jError';
  }
}

/** Code the emulator gives a refused command; the manual names the refusal, not its status code. */
export const REFUSED = 'Neo.ClientError.Statement.ArgumentError';
