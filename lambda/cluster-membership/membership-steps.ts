import { BoltClient } from '../shared/bolt';
import { HealthGateError, PreconditionFailedError, StillInProgressError } from '../shared/errors';
import {
  ClusterListing, ListedServer, copiesNotAtRequestedStatus, describeServer, hostingDifference, hostsOnlySystem,
  readClusterListing, serverAt,
} from './cluster-listing';
import { waitJoined, waitLeft } from './causal-membership';

/** What each step reports: the server it acted on, as listed after the step. */
export interface MembershipStepResult {
  readonly serverAddress: string;
  /** Empty when the server is no longer listed (dropped, its process gone). */
  readonly serverId: string;
  /** The server's state; `absent` when no longer listed. */
  readonly state: string;
  readonly hosting: string[];
  /** Whether this invocation sent a command (false: the step had already happened, a no-op). */
  readonly changed: boolean;
}

/** The addresses a step works on: the server, and for `deallocate` the replacement that must have joined. */
export interface StepTarget {
  readonly serverAddress: string;
  readonly replacementAddress?: string;
}

type Step = (bolt: BoltClient, target: StepTarget) => Promise<MembershipStepResult>;

/** A server id quoted as a Cypher string literal (ids come from SHOW SERVERS; quoting keeps any name safe). */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const result = (address: string, server: ListedServer | undefined, changed: boolean, state?: string): MembershipStepResult => ({
  serverAddress: address,
  serverId: server?.serverId ?? '',
  state: state ?? server?.state ?? 'absent',
  hosting: server?.hosting ?? [],
  changed,
});

const listed = (listing: ClusterListing) => listing.servers.map(describeServer).join('; ') || 'none';

async function command(bolt: BoltClient, cypher: string): Promise<void> {
  await bolt.query(cypher, {}, 'system', 'write');
}

/** `ENABLE SERVER` the Free server at the address (the new member); an Enabled one is left as it is. */
const enableServer: Step = async (bolt, { serverAddress }) => {
  const listing = await readClusterListing(bolt);
  const server = serverAt(listing, serverAddress);
  if (!server) {
    throw new StillInProgressError(`expected the new member at ${serverAddress} discovered (SHOW SERVERS); found no server there. Listed: ${listed(listing)}`);
  }
  if (server.state === 'Enabled') return result(serverAddress, server, false);
  if (server.state !== 'Free') {
    throw new PreconditionFailedError(`expected the server at ${serverAddress} Free (new) or Enabled; found ${describeServer(server)}`);
  }
  await command(bolt, `ENABLE SERVER ${literal(server.serverId)}`);
  return result(serverAddress, server, true, 'Enabled');
};

/** Problems that keep the server at the address from counting as a joined member, empty when it does. */
function notJoined(listing: ClusterListing, address: string): string[] {
  const server = serverAt(listing, address);
  if (!server) return [`no server listed at ${address}`];
  if (server.state !== 'Enabled') return [`${describeServer(server)} (not Enabled)`];
  if (server.health !== 'Available') return [`${describeServer(server)} (not Available)`];
  const difference = hostingDifference(server);
  const notAtStatus = copiesNotAtRequestedStatus(listing, server.serverId)
    .map((c) => `${c.name} ${c.currentStatus} (requested ${c.requestedStatus})${c.statusMessage ? `: ${c.statusMessage}` : ''}`);
  return [
    ...(difference.length > 0 ? [`hosting differs from requestedHosting: ${difference.join(', ')}`] : []),
    ...notAtStatus,
  ];
}

/** The new member Enabled, Available, hosting what it is asked to and every copy at its requested status. */
const waitHosting: Step = async (bolt, { serverAddress }) => {
  const listing = await readClusterListing(bolt);
  const server = serverAt(listing, serverAddress);
  if (server && server.state !== 'Enabled') {
    throw new PreconditionFailedError(`expected the new member at ${serverAddress} Enabled (enable-server first); found ${describeServer(server)}`);
  }
  const problems = notJoined(listing, serverAddress);
  if (problems.length > 0) {
    throw new StillInProgressError(`expected the new member at ${serverAddress} hosting every database it is asked to, each at its requested status; found: ${problems.join('; ')}`);
  }
  return result(serverAddress, server, false);
};

/**
 * `DEALLOCATE DATABASES FROM SERVER` the old member, only once the replacement has joined and every other
 * member is Available (deallocating beside a member that is down would spend the fault tolerance).
 */
const deallocate: Step = async (bolt, { serverAddress, replacementAddress }) => {
  const listing = await readClusterListing(bolt);
  const server = serverAt(listing, serverAddress);
  if (!server) {
    throw new PreconditionFailedError(`expected the old member at ${serverAddress} listed in SHOW SERVERS; found none. Listed: ${listed(listing)}`);
  }
  if (['Deallocating', 'Deallocated', 'Dropped'].includes(server.state)) return result(serverAddress, server, false);
  if (server.state !== 'Enabled' && server.state !== 'Cordoned') {
    throw new PreconditionFailedError(`expected the old member at ${serverAddress} Enabled or Cordoned; found ${describeServer(server)}`);
  }
  const replacement = notJoined(listing, replacementAddress!);
  if (replacement.length > 0) {
    throw new HealthGateError(`not deallocating ${serverAddress}: expected its replacement at ${replacementAddress} joined; found: ${replacement.join('; ')}`);
  }
  const down = listing.servers.filter((s) => s.address !== serverAddress && ['Enabled', 'Cordoned'].includes(s.state) && s.health !== 'Available');
  if (down.length > 0) {
    throw new HealthGateError(`not deallocating ${serverAddress}: expected every other member Available; found ${down.map(describeServer).join('; ')}`);
  }
  await command(bolt, `DEALLOCATE DATABASES FROM SERVER ${literal(server.serverId)}`);
  return result(serverAddress, server, true, 'Deallocating');
};

/** The old member hosts nothing but `system`, and every member hosts what it is asked to, at the requested status. */
const waitDrained: Step = async (bolt, { serverAddress }) => {
  const listing = await readClusterListing(bolt);
  const server = serverAt(listing, serverAddress);
  if (!server || server.state === 'Dropped') return result(serverAddress, server, false);
  if (server.state !== 'Deallocating' && server.state !== 'Deallocated') {
    throw new PreconditionFailedError(`expected the old member at ${serverAddress} Deallocating or Deallocated (deallocate first); found ${describeServer(server)}`);
  }
  const others = listing.servers.filter((s) => s !== server && s.state !== 'Dropped' && s.state !== 'Free');
  const problems = [
    ...(hostsOnlySystem(server) ? [] : [`${describeServer(server)} (still hosts a database)`]),
    ...others.filter((s) => hostingDifference(s).length > 0).map((s) => `${s.address} hosting differs from requestedHosting: ${hostingDifference(s).join(', ')}`),
    ...copiesNotAtRequestedStatus(listing).filter((c) => c.serverId !== server.serverId)
      .map((c) => `${c.name} on ${c.address} ${c.currentStatus} (requested ${c.requestedStatus})`),
  ];
  if (problems.length > 0) {
    throw new StillInProgressError(`expected ${serverAddress} drained and its databases running elsewhere; found: ${problems.join('; ')}`);
  }
  return result(serverAddress, server, false);
};

/** `DROP SERVER` a drained member; a dropped (or no longer listed) one is left as it is; one that may host a database never. */
const dropServer: Step = async (bolt, { serverAddress }) => {
  const listing = await readClusterListing(bolt);
  const server = serverAt(listing, serverAddress);
  if (!server || server.state === 'Dropped') return result(serverAddress, server, false);
  const drained = server.state === 'Deallocated' || (server.state === 'Deallocating' && hostsOnlySystem(server));
  if (!drained) {
    throw new PreconditionFailedError(`expected the old member at ${serverAddress} drained (Deallocated) before DROP SERVER; found ${describeServer(server)}`);
  }
  await command(bolt, `DROP SERVER ${literal(server.serverId)}`);
  return result(serverAddress, server, true, 'Dropped');
};

/**
 * The undo of a replacement before its old member's deallocation: the new member leaves again, so no Enabled
 * server stays listed once its slot is stopped. Not listed or Dropped: done. Free: `DROP SERVER`. Enabled
 * (hosting nothing but `system`): `DEALLOCATE DATABASES FROM SERVER`, then StillInProgressError until it is
 * Deallocated; drained: `DROP SERVER`. A new member that hosts or is asked to host a user database is never
 * withdrawn (the old member's databases may be moving to it): PreconditionFailedError.
 */
const withdrawNewMember: Step = async (bolt, { serverAddress }) => {
  const listing = await readClusterListing(bolt);
  const server = serverAt(listing, serverAddress);
  if (!server || server.state === 'Dropped') return result(serverAddress, server, false);
  if (!hostsOnlySystem(server)) {
    throw new PreconditionFailedError(`not withdrawing the new member at ${serverAddress}: it hosts or is asked to host a database; found ${describeServer(server)}`);
  }
  if (server.state === 'Enabled' || server.state === 'Cordoned') {
    await command(bolt, `DEALLOCATE DATABASES FROM SERVER ${literal(server.serverId)}`);
    throw new StillInProgressError(`withdrawing the new member at ${serverAddress}: deallocating it, then DROP SERVER`);
  }
  if (server.state === 'Deallocating') throw new StillInProgressError(`withdrawing the new member at ${serverAddress}: still ${describeServer(server)}`);
  await command(bolt, `DROP SERVER ${literal(server.serverId)}`);
  return result(serverAddress, server, true, 'Dropped');
};

/**
 * The steps by action name (the task's `action` input): 5.x / 2025.x server management, then the 4.4
 * causal cluster's waits (causal-membership.ts).
 */
export const MEMBERSHIP_STEPS = {
  'enable-server': enableServer,
  'wait-hosting': waitHosting,
  'deallocate': deallocate,
  'wait-drained': waitDrained,
  'drop-server': dropServer,
  'withdraw-new-member': withdrawNewMember,
  'wait-joined': waitJoined,
  'wait-left': waitLeft,
} as const;

export type MembershipAction = keyof typeof MEMBERSHIP_STEPS;
