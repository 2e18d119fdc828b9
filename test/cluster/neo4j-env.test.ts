import { familyEnvPrefix, neo4jEnvVarName, neo4jSettingName } from '../../lib/cluster/neo4j-env';

test.each([
  ['dbms.allow_upgrade', 'NEO4J_dbms_allow__upgrade'],
  ['dbms.mode', 'NEO4J_dbms_mode'],
  ['ha.slave_only', 'NEO4J_ha_slave__only'],
  ['initial.server.mode_constraint', 'NEO4J_initial_server_mode__constraint'],
  ['causal_clustering.initial_discovery_members', 'NEO4J_causal__clustering_initial__discovery__members'],
])('%s <-> %s (the image convention: "_" -> "__", "." -> "_")', (setting, env) => {
  expect(neo4jEnvVarName(setting)).toBe(env);
  expect(neo4jSettingName(env)).toBe(setting);
});

test('the library\'s own variables come back as the settings the image\'s entrypoint would write', () => {
  expect(neo4jSettingName('NEO4J_UPGRADE_CLUSTER_MODE')).toBe('UPGRADE.CLUSTER.MODE');
  expect(() => neo4jSettingName('JAVA_OPTS')).toThrow(/not a NEO4J_\* variable/);
});

test('a family\'s variables carry its id with "." as "_"', () => {
  expect(familyEnvPrefix('3.5')).toBe('NEO4J_UPGRADE_FAMILY_3_5_');
  expect(familyEnvPrefix('2025')).toBe('NEO4J_UPGRADE_FAMILY_2025_');
});
