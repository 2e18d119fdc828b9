/**
 * How the main members run on ECS. The default keeps one daemon service per group; the per-server layout
 * gives each main member its own service and image parameter, so one server can be rolled at a time
 * (the rolling upgrade, see docs/rolling-upgrade.md).
 */
export class ServerLayout {
  /** One ECS daemon service per group: an image change rolls every member of the group (today's layout). */
  public static readonly DAEMON_PER_GROUP = new ServerLayout('DAEMON_PER_GROUP');
  /**
   * One ECS service per main member ("server"), pinned to the instance that holds that server's data
   * volume, with its own `<prefix>Server<N>Image` stack parameter: a parameter-only update rolls that
   * server alone. Needs a fixed main group (min = max = desired) and no slave-only node (`slaveCapacity` min and desired 0).
   */
  public static readonly SERVICE_PER_SERVER = new ServerLayout('SERVICE_PER_SERVER');

  private constructor(
    /** The layout's name. */
    public readonly name: string,
  ) {}
}

/** One main member of a cluster in the {@link ServerLayout.SERVICE_PER_SERVER} layout. */
export interface Neo4jClusterServer {
  /** 1-based number of the server: the `neo4j-upgrades:server` tag of its data volume. */
  readonly serverNumber: number;
  /** Name of the server's ECS service (one task). */
  readonly serviceName: string;
  /** Logical name of the stack parameter holding the server's image; empty means the cluster's `DockerImage`. */
  readonly imageParameterName: string;
  /**
   * Logical name of the stack parameter holding the server's settings family; empty means the cluster's
   * `VersionFamily`. The rolling upgrade sets it with the image when a roll changes the family (5.26 -> 2025.x).
   * @default - the server has none (a cluster on discovery v1): it follows `VersionFamily`
   */
  readonly versionFamilyParameterName?: string;
  /**
   * Logical name of the stack parameter holding the slot's desired count (`1` runs it, `0` stops it). A
   * cluster with a spare slot (`Neo4jCluster` `spareServerSlots: 1`) has one per slot, so a parameter-only
   * update starts or stops a slot (the `NEW_MEMBER_FIRST` roll).
   * @default - the server has none (no spare slot): it always runs one task
   */
  readonly desiredCountParameterName?: string;
}

/** Tag of a data volume naming the server whose store it holds; the instance that claims it becomes that server. */
export const SERVER_TAG = 'neo4j-upgrades:server';
/** ECS instance attribute naming the server an instance is; each server's service is placed by it. */
export const SERVER_ATTRIBUTE = 'neo4j.server';

/** The per-server image parameter's logical name. */
export function serverImageParameterName(prefix: string, serverNumber: number): string {
  return `${prefix}Server${serverNumber}Image`;
}

/** The role a server's image parameter has among the target's stack parameters: `server<N>Image`. */
export function serverImageRole(serverNumber: number): string {
  return `server${serverNumber}Image`;
}

/** The per-server settings-family parameter's logical name. */
export function serverVersionFamilyParameterName(prefix: string, serverNumber: number): string {
  return `${prefix}Server${serverNumber}VersionFamily`;
}

/** The per-slot desired-count parameter's logical name (clusters with a spare slot). */
export function serverDesiredCountParameterName(prefix: string, serverNumber: number): string {
  return `${prefix}Server${serverNumber}DesiredCount`;
}

/** The role a slot's desired-count parameter has among the target's stack parameters: `server<N>DesiredCount`. */
export function serverDesiredCountRole(serverNumber: number): string {
  return `server${serverNumber}DesiredCount`;
}

/** The servers' image (and settings-family) parameters by role, for the target's `stackParameters`. */
export function serverImageRoles(servers: readonly Neo4jClusterServer[]): Record<string, string> {
  return Object.fromEntries(servers.flatMap((s) => [
    [serverImageRole(s.serverNumber), s.imageParameterName],
    ...(s.versionFamilyParameterName ? [[`server${s.serverNumber}VersionFamily`, s.versionFamilyParameterName]] : []),
    ...(s.desiredCountParameterName ? [[serverDesiredCountRole(s.serverNumber), s.desiredCountParameterName]] : []),
  ]));
}
