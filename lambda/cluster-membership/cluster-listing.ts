import { BoltClient } from '../shared/bolt';

/** One row of `SHOW SERVERS` (Neo4j 5.x / 2025.x), the columns the membership steps read. */
export interface ListedServer {
  readonly serverId: string;
  readonly name: string;
  readonly address: string;
  /** Free, Enabled, Deallocating, Deallocated (5.15+), Cordoned or Dropped. */
  readonly state: string;
  /** Available or Unavailable. */
  readonly health: string;
  readonly hosting: string[];
  readonly requestedHosting: string[];
}

/** One row of `SHOW DATABASES`: one copy of a database on one server. */
export interface ListedCopy {
  readonly name: string;
  readonly serverId: string;
  readonly address: string;
  readonly requestedStatus: string;
  readonly currentStatus: string;
  readonly statusMessage: string;
}

export interface ClusterListing {
  readonly servers: ListedServer[];
  readonly copies: ListedCopy[];
}

const SHOW_SERVERS = 'SHOW SERVERS YIELD serverId, name, address, state, health, hosting, requestedHosting';
const SHOW_DATABASES = 'SHOW DATABASES YIELD name, serverID, address, requestedStatus, currentStatus, statusMessage';

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const names = (value: unknown) => (Array.isArray(value) ? value.map(text).sort() : []);

/** Both listings, read from `system`. */
export async function readClusterListing(bolt: BoltClient): Promise<ClusterListing> {
  const servers = (await bolt.query(SHOW_SERVERS, {}, 'system')).map((r) => ({
    serverId: text(r.serverId), name: text(r.name), address: text(r.address), state: text(r.state), health: text(r.health),
    hosting: names(r.hosting), requestedHosting: names(r.requestedHosting),
  }));
  const copies = (await bolt.query(SHOW_DATABASES, {}, 'system')).map((r) => ({
    name: text(r.name), serverId: text(r.serverID), address: text(r.address),
    requestedStatus: text(r.requestedStatus), currentStatus: text(r.currentStatus), statusMessage: text(r.statusMessage),
  }));
  return { servers, copies };
}

/** The server listed at `address`; a Dropped one only when no other is listed there. */
export function serverAt(listing: ClusterListing, address: string): ListedServer | undefined {
  const here = listing.servers.filter((s) => s.address === address);
  return here.find((s) => s.state !== 'Dropped') ?? here[0];
}

/** Databases requested but not hosted, or hosted but no longer requested, as `+name` / `-name`. */
export function hostingDifference(server: ListedServer): string[] {
  return [
    ...server.requestedHosting.filter((d) => !server.hosting.includes(d)).map((d) => `+${d}`),
    ...server.hosting.filter((d) => !server.requestedHosting.includes(d)).map((d) => `-${d}`),
  ];
}

/** Copies on this server whose current status is not the requested one (`neo4j starting`). */
export function copiesNotAtRequestedStatus(listing: ClusterListing, serverId?: string): ListedCopy[] {
  return listing.copies.filter((c) => (serverId === undefined || c.serverId === serverId) && c.currentStatus !== c.requestedStatus);
}

/** Nothing but `system` hosted or requested: what DROP SERVER needs (Deallocated, or Deallocating before 5.15). */
export function hostsOnlySystem(server: ListedServer): boolean {
  return [...server.hosting, ...server.requestedHosting].every((d) => d === 'system');
}

export function describeServer(server: ListedServer): string {
  return `${server.name} (${server.serverId}) at ${server.address}: ${server.state}, ${server.health}, hosting [${server.hosting.join(', ')}]`;
}
