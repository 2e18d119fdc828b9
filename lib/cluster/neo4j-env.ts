/**
 * The Neo4j Docker image's convention for settings as environment variables:
 * prefix `NEO4J_`, `_` becomes `__`, `.` becomes `_` (`dbms.allow_upgrade` -> `NEO4J_dbms_allow__upgrade`).
 */
export function neo4jEnvVarName(setting: string): string {
  return 'NEO4J_' + setting.replace(/_/g, '__').replace(/\./g, '_');
}

/**
 * The setting the image's entrypoint writes for a `NEO4J_*` variable, exactly as it does it
 * (`sed 's|_|.|g' | sed 's|\.\.|_|g'` on the name without `NEO4J_`): the reverse of neo4jEnvVarName.
 */
export function neo4jSettingName(envVar: string): string {
  if (!envVar.startsWith('NEO4J_')) throw new Error(`${envVar} is not a NEO4J_* variable`);
  return envVar.slice('NEO4J_'.length).replace(/_/g, '.').replace(/\.\./g, '_');
}

/**
 * Prefix of the variables that hold one version family's settings and start-script inputs in the task
 * definition (`3.5` -> `NEO4J_UPGRADE_FAMILY_3_5_`). start-neo4j.sh exports only the chosen family's, under
 * their real names, so a family's settings never reach a Neo4j version that would refuse them.
 */
export function familyEnvPrefix(familyId: string): string {
  return `NEO4J_UPGRADE_FAMILY_${familyId.replace(/\./g, '_')}_`;
}
