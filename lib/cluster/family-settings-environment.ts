import { ClusterMode } from './cluster-mode';
import { familyEnvPrefix, neo4jEnvVarName } from './neo4j-env';
import { Neo4jVersionFamily, NodeGroup } from './neo4j-version-family';

/**
 * The settings and start-script inputs of EVERY version family, each under its family's prefix
 * (`NEO4J_UPGRADE_FAMILY_<id>_`). start-neo4j.sh exports the set that `NEO4J_UPGRADE_VERSION_FAMILY` (the
 * VersionFamily parameter) and `NEO4J_UPGRADE_CLUSTER_MODE` (Mode / SlaveMode) name, under the real
 * `NEO4J_*` names, and drops the rest: a parameter-only update of VersionFamily (with DockerImage) or of a
 * mode restarts the nodes with the matching settings, and no node ever sees a setting its version would
 * refuse. The choice is made by the script, not by Fn::FindInMap, so the template holds plain values.
 *
 * Per family: `<prefix>SET_<NEO4J_var>` settings of every mode, `<prefix>HA_<NEO4J_var>` and
 * `<prefix>SINGLE_<NEO4J_var>` those of one mode, and `<prefix>ENTRYPOINT`, `DISCOVERY_VAR`,
 * `DISCOVERY_PORT`, `ADVERTISED_VAR`, `SERVER_ID_VAR` (3.5 only), `UNBIND_COMMAND` (causal families), `MIGRATE_STORE`
 * for the script.
 *
 * @param allowUpgrade the group's AllowUpgrade value ('false' for the slave-only node)
 * @param discoveryV2 only for a cluster built with `DiscoveryVersion.V2`: picks the value for discovery v1 or
 *   v2 (an `Fn::If` on the DiscoveryVersion parameter); the 5.x family's discovery inputs then follow it
 */
export function familySettingsEnvironment(
  group: NodeGroup, allowUpgrade: string, discoveryV2?: (v1: string, v2: string) => string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const family of Neo4jVersionFamily.ALL) {
    const prefix = familyEnvPrefix(family.id);
    const discovery = family.discovery;
    env[`${prefix}ENTRYPOINT`] = family.entrypoint;
    env[`${prefix}DISCOVERY_VAR`] = neo4jEnvVarName(discovery.setting);
    env[`${prefix}DISCOVERY_PORT`] = String(discovery.port);
    env[`${prefix}ADVERTISED_VAR`] = neo4jEnvVarName(discovery.advertisedAddressSetting);
    if (discovery.serverIdSetting) env[`${prefix}SERVER_ID_VAR`] = neo4jEnvVarName(discovery.serverIdSetting);
    if (family.unbindCommand) env[`${prefix}UNBIND_COMMAND`] = family.unbindCommand;

    for (const [setting, value] of Object.entries(family.fixedSettings(group))) {
      env[`${prefix}SET_${neo4jEnvVarName(setting)}`] = value;
    }
    for (const mode of ClusterMode.ALLOWED_VALUES) {
      for (const [setting, value] of Object.entries(family.modeSettings(group, mode))) {
        env[`${prefix}${mode}_${neo4jEnvVarName(setting)}`] = value;
      }
    }
    if (discoveryV2 && family === Neo4jVersionFamily.V5) Object.assign(env, v5DiscoveryChoice(prefix, env, discoveryV2));
    // 3.5 and 4.4 upgrade the store through a setting; 5.x and later run neo4j-admin migrate first.
    if (family.allowUpgradeSetting) {
      env[`${prefix}SET_${neo4jEnvVarName(family.allowUpgradeSetting)}`] = allowUpgrade;
    } else {
      env[`${prefix}MIGRATE_STORE`] = allowUpgrade;
    }
  }
  return env;
}

/**
 * 5.x on discovery v2 (5.23+): `dbms.cluster.discovery.version` V2_ONLY and the members in
 * `dbms.cluster.discovery.v2.endpoints` on the cluster port 6000 (operations manual, "Cluster server
 * discovery" and "Ports"). 2025.x ignores the version setting and still accepts the v2 endpoints setting
 * (deprecated for `dbms.cluster.endpoints`), so a server rolled to a calendar version starts with either.
 */
const V5_DISCOVERY_V2 = { endpoints: 'dbms.cluster.discovery.v2.endpoints', port: '6000', versionSetting: 'dbms.cluster.discovery.version' };

function v5DiscoveryChoice(prefix: string, env: Record<string, string>, choose: (v1: string, v2: string) => string): Record<string, string> {
  return {
    [`${prefix}DISCOVERY_VAR`]: choose(env[`${prefix}DISCOVERY_VAR`], neo4jEnvVarName(V5_DISCOVERY_V2.endpoints)),
    [`${prefix}DISCOVERY_PORT`]: choose(env[`${prefix}DISCOVERY_PORT`], V5_DISCOVERY_V2.port),
    [`${prefix}SET_${neo4jEnvVarName(V5_DISCOVERY_V2.versionSetting)}`]: choose('V1_ONLY', 'V2_ONLY'),
  };
}
