import { neo4jEnvVarName } from '../../lib/cluster/neo4j-env';

test.each([
  ['dbms.allow_upgrade', 'NEO4J_dbms_allow__upgrade'],
  ['dbms.mode', 'NEO4J_dbms_mode'],
  ['ha.slave_only', 'NEO4J_ha_slave__only'],
  ['initial.server.mode_constraint', 'NEO4J_initial_server_mode__constraint'],
  ['causal_clustering.initial_discovery_members', 'NEO4J_causal__clustering_initial__discovery__members'],
])('%s -> %s (the image convention: "_" -> "__", "." -> "_")', (setting, env) => {
  expect(neo4jEnvVarName(setting)).toBe(env);
});
