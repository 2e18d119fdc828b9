import { Neo4jUpgradesValidationError } from '../errors';

/** Which group of the cluster a node belongs to. */
export enum NodeGroup {
  /** The main cluster: HA members / cores / primaries. */
  MAIN = 'MAIN',
  /** The slave-only node: never elected master. */
  SLAVE = 'SLAVE',
}

/** How members of a family find each other. */
export interface DiscoverySettings {
  /** Setting listing the members (`host:port,...`). */
  readonly setting: string;
  /** Port of the discovery protocol. */
  readonly port: number;
  /** Setting for the address a member advertises. */
  readonly advertisedAddressSetting: string;
  /**
   * Setting that holds a unique integer per member.
   * @default - the family has none
   */
  readonly serverIdSetting?: string;
}

/** Settings for one group in one mode (`HA` or `SINGLE`): Neo4j setting name -> value. */
type ModeSettings = Record<'HA' | 'SINGLE', Record<string, string>>;

interface FamilyDefinition {
  readonly id: string;
  readonly displayName: string;
  /** Image version prefixes (major or major.minor) this family runs. */
  readonly versionPattern: RegExp;
  readonly main: ModeSettings;
  readonly slave: ModeSettings;
  /** Settings that never change with the mode. */
  readonly fixed: Record<string, string>;
  /** The store-upgrade setting `AllowUpgrade` drives, if the family has one. */
  readonly allowUpgradeSetting?: string;
  /** Setting listing the discovery members (`host:port,...`), and its port. */
  readonly discoverySetting: string;
  readonly discoveryPort: number;
  readonly advertisedAddressSetting: string;
  /** Setting that must hold a unique small integer per member (3.5 HA only). */
  readonly serverIdSetting?: string;
  /** The official image's entrypoint script. */
  readonly entrypoint: string;
  /** neo4j-admin arguments that clear a copied store's cluster identity (causal families only). */
  readonly unbindCommand?: string;
}

/**
 * A Neo4j version family: maps the typed modes (`Mode`, `SlaveMode`, `AllowUpgrade`) to that
 * family's settings and Docker environment variables.
 *
 * `AllowUpgrade` means: 3.5 and 4.4 set `dbms.allow_upgrade`; 5.x and 2025.x have no such setting
 * (minor store formats upgrade at start), so there it runs `neo4j-admin database migrate` for every
 * database before the server starts, which is the offline format migration those versions require.
 */
export class Neo4jVersionFamily {
  /** Neo4j 3.5 High Availability: `dbms.mode` HA/SINGLE, `ha.*`, `ha.slave_only`, `dbms.allow_upgrade`. */
  public static readonly V3_5_HA = new Neo4jVersionFamily({
    id: '3.5',
    displayName: 'Neo4j 3.5 HA',
    versionPattern: /^3\.5(\.|$)/,
    main: { HA: { 'dbms.mode': 'HA' }, SINGLE: { 'dbms.mode': 'SINGLE' } },
    slave: { HA: { 'dbms.mode': 'HA' }, SINGLE: { 'dbms.mode': 'SINGLE' } },
    fixed: {},
    allowUpgradeSetting: 'dbms.allow_upgrade',
    discoverySetting: 'ha.initial_hosts',
    discoveryPort: 5001,
    advertisedAddressSetting: 'dbms.connectors.default_advertised_address',
    serverIdSetting: 'ha.server_id',
    entrypoint: '/docker-entrypoint.sh',
  });

  /** Neo4j 4.4 causal cluster: `dbms.mode` CORE/READ_REPLICA/SINGLE, `causal_clustering.*`. */
  public static readonly V4_4_CAUSAL = new Neo4jVersionFamily({
    id: '4.4',
    displayName: 'Neo4j 4.4 causal cluster',
    versionPattern: /^4\.4(\.|$)/,
    main: { HA: { 'dbms.mode': 'CORE' }, SINGLE: { 'dbms.mode': 'SINGLE' } },
    slave: { HA: { 'dbms.mode': 'READ_REPLICA' }, SINGLE: { 'dbms.mode': 'SINGLE' } },
    fixed: { 'causal_clustering.discovery_type': 'LIST' },
    allowUpgradeSetting: 'dbms.allow_upgrade',
    discoverySetting: 'causal_clustering.initial_discovery_members',
    discoveryPort: 5000,
    advertisedAddressSetting: 'dbms.default_advertised_address',
    entrypoint: '/startup/docker-entrypoint.sh',
    unbindCommand: 'neo4j-admin unbind',
  });

  /** Neo4j 5.x: `initial.server.mode_constraint` PRIMARY/SECONDARY, discovery endpoints on port 5000. */
  public static readonly V5 = new Neo4jVersionFamily({
    id: '5',
    displayName: 'Neo4j 5.x',
    versionPattern: /^5\./,
    main: { HA: { 'initial.server.mode_constraint': 'PRIMARY' }, SINGLE: { 'initial.server.mode_constraint': 'NONE' } },
    slave: { HA: { 'initial.server.mode_constraint': 'SECONDARY' }, SINGLE: { 'initial.server.mode_constraint': 'NONE' } },
    fixed: { 'dbms.cluster.discovery.resolver_type': 'LIST' },
    discoverySetting: 'dbms.cluster.discovery.endpoints',
    discoveryPort: 5000,
    advertisedAddressSetting: 'server.default_advertised_address',
    entrypoint: '/startup/docker-entrypoint.sh',
    unbindCommand: 'neo4j-admin server unbind',
  });

  /** Neo4j 2025.x and later calendar versions: as 5.x, cluster endpoints on port 6000. */
  public static readonly V2025 = new Neo4jVersionFamily({
    id: '2025',
    displayName: 'Neo4j 2025.x',
    versionPattern: /^20[2-9][0-9]\./,
    main: { HA: { 'initial.server.mode_constraint': 'PRIMARY' }, SINGLE: { 'initial.server.mode_constraint': 'NONE' } },
    slave: { HA: { 'initial.server.mode_constraint': 'SECONDARY' }, SINGLE: { 'initial.server.mode_constraint': 'NONE' } },
    fixed: { 'dbms.cluster.discovery.resolver_type': 'LIST' },
    discoverySetting: 'dbms.cluster.endpoints',
    discoveryPort: 6000,
    advertisedAddressSetting: 'server.default_advertised_address',
    entrypoint: '/startup/docker-entrypoint.sh',
    unbindCommand: 'neo4j-admin server unbind',
  });

  /**
   * Every family, in version order: the task definition carries the settings of each, so a parameter-only
   * update of `VersionFamily` (with `DockerImage`) reconfigures the nodes for a new family.
   */
  public static readonly ALL: Neo4jVersionFamily[] = [
    Neo4jVersionFamily.V3_5_HA, Neo4jVersionFamily.V4_4_CAUSAL, Neo4jVersionFamily.V5, Neo4jVersionFamily.V2025,
  ];

  /** The family with this id ('3.5', '4.4', '5' or '2025'). */
  public static fromId(id: string): Neo4jVersionFamily {
    const family = Neo4jVersionFamily.ALL.find((f) => f.id === id);
    if (!family) {
      throw new Neo4jUpgradesValidationError('versionFamily', `'${id}'`, `expected one of ${Neo4jVersionFamily.ALL.map((f) => `'${f.id}'`).join(', ')}`);
    }
    return family;
  }

  /** The short id handlers use to pick topology queries: '3.5', '4.4', '5' or '2025'. */
  public readonly id: string;
  /** Human-readable name. */
  public readonly displayName: string;

  private constructor(private readonly definition: FamilyDefinition) {
    this.id = definition.id;
    this.displayName = definition.displayName;
  }

  /** Settings of a group in a mode ('HA' or 'SINGLE'). */
  public modeSettings(group: NodeGroup, mode: string): { [setting: string]: string } {
    const table = group === NodeGroup.MAIN ? this.definition.main : this.definition.slave;
    const settings = table[mode as 'HA' | 'SINGLE'];
    if (!settings) {
      throw new Neo4jUpgradesValidationError('mode', `'${mode}'`, "expected 'HA' or 'SINGLE'");
    }
    return settings;
  }

  /** Settings that do not depend on the mode. The slave-only node is never elected master. */
  public fixedSettings(group: NodeGroup): { [setting: string]: string } {
    const settings: { [setting: string]: string } = { ...this.definition.fixed };
    if (this.id === '3.5' && group === NodeGroup.SLAVE) settings['ha.slave_only'] = 'true';
    return settings;
  }

  /** The setting `AllowUpgrade` drives, or undefined when the family migrates with neo4j-admin instead. */
  public get allowUpgradeSetting(): string | undefined {
    return this.definition.allowUpgradeSetting;
  }

  /**
   * The neo4j-admin command that clears a copied store's cluster identity (4.4 `neo4j-admin unbind`,
   * 5.x / 2025.x `neo4j-admin server unbind`), or undefined for 3.5 HA, which keeps none in the store.
   */
  public get unbindCommand(): string | undefined {
    return this.definition.unbindCommand;
  }

  /** How members find each other and advertise themselves. */
  public get discovery(): DiscoverySettings {
    const d = this.definition;
    return { setting: d.discoverySetting, port: d.discoveryPort, advertisedAddressSetting: d.advertisedAddressSetting, serverIdSetting: d.serverIdSetting };
  }

  /** The official image's entrypoint script path. */
  public get entrypoint(): string {
    return this.definition.entrypoint;
  }

  /** Whether an image tag's version (e.g. `3.5.35-enterprise`) belongs to this family. */
  public runsVersion(version: string): boolean {
    return this.definition.versionPattern.test(version);
  }
}
