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
 */
export function familySettingsEnvironment(group: NodeGroup, allowUpgrade: string): Record<string, string> {
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
    // 3.5 and 4.4 upgrade the store through a setting; 5.x and later run neo4j-admin migrate first.
    if (family.allowUpgradeSetting) {
      env[`${prefix}SET_${neo4jEnvVarName(family.allowUpgradeSetting)}`] = allowUpgrade;
    } else {
      env[`${prefix}MIGRATE_STORE`] = allowUpgrade;
    }
  }
  return env;
}
