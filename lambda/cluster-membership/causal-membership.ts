import { BoltClient } from '../shared/bolt';
import { hostPortOf } from '../shared/bolt-address';
import { HealthGateError, StillInProgressError } from '../shared/errors';
import type { MembershipStepResult, StepTarget } from './membership-steps';

/**
 * Neo4j 4.4 causal clusters (no server management): a core joins through discovery when its process
 * starts and leaves when it stops, so the replacement's steps only wait, reading `dbms.cluster.overview()`
 * and `SHOW DATABASES` (docs/rolling-upgrade.md, "4.4 (causal cluster)").
 */

/** One `dbms.cluster.overview()` row: a member, its Bolt address, its role (upper case) by database. */
export interface CausalMemberRow {
  readonly id: string;
  /** `host:port` of its `bolt://` (or `neo4j://`) address; '' when it lists none. */
  readonly address: string;
  readonly roles: Readonly<Record<string, string>>;
}

/** One 4.4 `SHOW DATABASES` row: one copy of a database on one member. */
export interface CausalCopyRow {
  readonly name: string;
  readonly address: string;
  readonly role: string;
  readonly requestedStatus: string;
  readonly currentStatus: string;
  readonly error: string;
}

export interface CausalListing {
  readonly members: CausalMemberRow[];
  readonly copies: CausalCopyRow[];
}

const OVERVIEW = 'CALL dbms.cluster.overview()';
const SHOW_DATABASES = 'SHOW DATABASES YIELD name, address, role, requestedStatus, currentStatus, error';
/** The roles of a member that runs a database (the overview's, compared case-insensitively). */
const JOINED_ROLES = ['LEADER', 'FOLLOWER', 'READ_REPLICA'];

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

function boltAddress(addresses: unknown): string {
  const uris = Array.isArray(addresses) ? addresses.map(text) : [];
  const bolt = uris.find((u) => /^(bolt|neo4j)(\+s|\+ssc)?:\/\//i.test(u));
  return bolt ? hostPortOf(bolt) : '';
}

function rolesOf(databases: unknown): Record<string, string> {
  if (typeof databases !== 'object' || databases === null) return {};
  return Object.fromEntries(Object.entries(databases as Record<string, unknown>).map(([db, role]) => [db, text(role).toUpperCase()]));
}

/** The overview (no database argument: it runs on any) and SHOW DATABASES on `system`, both in read sessions. */
export async function readCausalListing(bolt: BoltClient): Promise<CausalListing> {
  const members = (await bolt.query(OVERVIEW)).map((r) => ({ id: text(r.id), address: boltAddress(r.addresses), roles: rolesOf(r.databases) }));
  const copies = (await bolt.query(SHOW_DATABASES, {}, 'system')).map((r) => ({
    name: text(r.name), address: text(r.address), role: text(r.role),
    requestedStatus: text(r.requestedStatus), currentStatus: text(r.currentStatus), error: text(r.error),
  }));
  return { members, copies };
}

/** Every database any member is listed with in the overview, sorted. */
const listedDatabases = (listing: CausalListing) => [...new Set(listing.members.flatMap((m) => Object.keys(m.roles)))].sort();

/** `neo4j` when listed, else the first user database, else `system`: the database the result's `state` is the role for. */
function firstUserDatabase(names: string[]): string {
  const user = names.filter((n) => n !== 'system');
  return user.includes('neo4j') ? 'neo4j' : user[0] ?? 'system';
}

const describeMember = (m: CausalMemberRow) =>
  `${m.id} at ${m.address || 'no bolt address'} [${Object.entries(m.roles).map(([db, role]) => `${db}: ${role}`).join(', ')}]`;
const describeCopy = (c: CausalCopyRow) =>
  `${c.name} on ${c.address} ${c.currentStatus} (requested ${c.requestedStatus})${c.error ? `: ${c.error}` : ''}`;
const notAtRequestedStatus = (c: CausalCopyRow) => c.currentStatus !== c.requestedStatus;

function result(address: string, listing: CausalListing, member: CausalMemberRow | undefined): MembershipStepResult {
  const hosting = member ? Object.keys(member.roles).sort() : [];
  return {
    serverAddress: address,
    serverId: member?.id ?? '',
    state: member ? member.roles[firstUserDatabase(listedDatabases(listing))] || 'absent' : 'absent',
    hosting,
    changed: false,
  };
}

/**
 * The new member at the address has joined: listed in the overview with every database any member is
 * listed with (LEADER, FOLLOWER or READ_REPLICA), and its every copy at the requested status; not yet:
 * StillInProgressError. Then every other member's copies at their requested status (the old member is
 * stopped next; stopping it beside a member that is down spends the fault tolerance); not: HealthGateError.
 */
export async function waitJoined(bolt: BoltClient, { serverAddress }: StepTarget): Promise<MembershipStepResult> {
  const listing = await readCausalListing(bolt);
  const member = listing.members.find((m) => m.address === serverAddress);
  if (!member) {
    const listed = listing.members.map(describeMember).join('; ') || 'none';
    throw new StillInProgressError(`expected the new member at ${serverAddress} listed in dbms.cluster.overview(); found no member there. Listed: ${listed}`);
  }
  const problems = [
    ...listedDatabases(listing).filter((db) => !JOINED_ROLES.includes(member.roles[db]?.toUpperCase()))
      .map((db) => `${db} ${member.roles[db] ? `listed as ${member.roles[db]}` : 'not listed'} in the overview`),
    ...listing.copies.filter((c) => c.address === serverAddress && notAtRequestedStatus(c)).map(describeCopy),
  ];
  if (problems.length > 0) {
    throw new StillInProgressError(`expected the new member at ${serverAddress} running every database, each at its requested status; found: ${problems.join('; ')}`);
  }
  const others = listing.copies.filter((c) => c.address !== serverAddress && notAtRequestedStatus(c));
  if (others.length > 0) {
    throw new HealthGateError(`the new member at ${serverAddress} joined, but expected every other member's databases at their requested status; found: ${others.map(describeCopy).join('; ')}`);
  }
  return result(serverAddress, listing, member);
}

/** The stopped member at the address is gone: neither in the overview nor in any SHOW DATABASES row; else StillInProgressError. */
export async function waitLeft(bolt: BoltClient, { serverAddress }: StepTarget): Promise<MembershipStepResult> {
  const listing = await readCausalListing(bolt);
  const member = listing.members.find((m) => m.address === serverAddress);
  const copies = listing.copies.filter((c) => c.address === serverAddress);
  const still = [
    ...(member ? [`in dbms.cluster.overview() as ${describeMember(member)}`] : []),
    ...(copies.length > 0 ? [`in SHOW DATABASES with ${copies.map((c) => `${c.name} (${c.role}, ${c.currentStatus})`).join(', ')}`] : []),
  ];
  if (still.length > 0) {
    throw new StillInProgressError(`expected the member at ${serverAddress} gone from the cluster (its process stopped); still listed ${still.join('; ')}`);
  }
  return result(serverAddress, listing, undefined);
}
