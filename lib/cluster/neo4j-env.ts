/**
 * The Neo4j Docker image's convention for settings as environment variables:
 * prefix `NEO4J_`, `_` becomes `__`, `.` becomes `_` (`dbms.allow_upgrade` -> `NEO4J_dbms_allow__upgrade`).
 */
export function neo4jEnvVarName(setting: string): string {
  return 'NEO4J_' + setting.replace(/_/g, '__').replace(/\./g, '_');
}
