import { CausalCluster, EmulatedStatement, causalBolt } from '../../tools/neo4j-cluster-emulator';

/** SIMULATED 4.4 causal clustering: members join through discovery after a store copy and leave when stopped. */
const CORES = ['10.0.1.1:7687', '10.0.2.1:7687', '10.0.3.1:7687'];
const NEW = '10.0.1.9:7687';
const OVERVIEW = 'CALL dbms.cluster.overview()';
const DATABASES = 'SHOW DATABASES YIELD name, address, role, requestedStatus, currentStatus, error';

function threeCores(copyStartLooks = 2) {
  const cluster = CausalCluster.formed(CORES, ['neo4j', 'orders'], { copyStartLooks });
  const statements: EmulatedStatement[] = [];
  const bolt = causalBolt(cluster, { statements });
  const overview = async () => bolt.query(OVERVIEW);
  const databases = async () => bolt.query(DATABASES, {}, 'system');
  const rolesAt = async (address: string) => (await overview()).find((m) => (m.addresses as string[])[0] === `bolt://${address}`)?.databases;
  const copiesAt = async (address: string) => (await databases()).filter((r) => r.address === address).map((r) => `${r.name} ${r.role} ${r.currentStatus}`);
  return { cluster, bolt, statements, overview, databases, rolesAt, copiesAt };
}

describe('Neo4j cluster emulator, 4.4 causal mode (SIMULATED)', () => {
  test('a formed cluster: three cores, the first leads every database; 4.4 columns, roles upper case in the overview and lower case in SHOW DATABASES', async () => {
    const { cluster, bolt, overview, databases } = threeCores();
    expect(await overview()).toEqual(CORES.map((address, i) => ({
      id: cluster.members[i].id,
      addresses: [`bolt://${address}`, `http://${address.replace(':7687', '')}:7474`, `https://${address.replace(':7687', '')}:7473`],
      databases: i === 0 ? { system: 'LEADER', neo4j: 'LEADER', orders: 'LEADER' } : { system: 'FOLLOWER', neo4j: 'FOLLOWER', orders: 'FOLLOWER' },
      groups: [],
    })));
    const rows = await databases();
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({ name: 'system', address: CORES[0], role: 'leader', requestedStatus: 'online', currentStatus: 'online', error: '' });
    expect(Object.keys((await bolt.query('SHOW DATABASES', {}, 'system'))[0])).toEqual(
      ['name', 'aliases', 'access', 'address', 'role', 'requestedStatus', 'currentStatus', 'error', 'default', 'home']);
    expect((await bolt.serverInfo()).agent).toBe('Neo4j/4.4.40');
  });

  test('a started member is listed at once, runs nothing until its store copy is done, then is FOLLOWER of every database', async () => {
    const { cluster, rolesAt, copiesAt } = threeCores(3);
    cluster.start({ address: NEW });
    expect(await rolesAt(NEW)).toEqual({});
    expect(await copiesAt(NEW)).toEqual(['system unknown starting', 'neo4j unknown starting', 'orders unknown starting']);
    expect(await rolesAt(NEW)).toEqual({ system: 'FOLLOWER', neo4j: 'FOLLOWER', orders: 'FOLLOWER' });
    expect(await copiesAt(NEW)).toEqual(['system follower online', 'neo4j follower online', 'orders follower online']);
  });

  test('a read replica is READ_REPLICA of every database and never leads', async () => {
    const cluster = CausalCluster.formed(CORES.slice(0, 1), ['neo4j'], { readReplicas: ['10.0.4.1:7687'] });
    const bolt = causalBolt(cluster);
    cluster.stopProcess(CORES[0]);
    expect(await bolt.query(OVERVIEW)).toEqual([expect.objectContaining({ databases: { system: 'READ_REPLICA', neo4j: 'READ_REPLICA' } })]);
  });

  test('a held copy never comes online; the member\'s other copies do', async () => {
    const { cluster, rolesAt, copiesAt } = threeCores(1);
    cluster.holdStarting(NEW, 'orders');
    cluster.start({ address: NEW });
    for (let i = 0; i < 5; i++) await rolesAt(NEW);
    expect(await rolesAt(NEW)).toEqual({ system: 'FOLLOWER', neo4j: 'FOLLOWER' });
    expect(await copiesAt(NEW)).toContain('orders unknown starting');
  });

  test('a stopped member leaves the overview and SHOW DATABASES at once; a database it led elects another core', async () => {
    const { cluster, overview, databases, rolesAt } = threeCores();
    const leader = cluster.members[0].id;
    cluster.stopProcess(CORES[0]);
    expect((await overview()).map((m) => m.id)).not.toContain(leader);
    expect((await databases()).map((r) => r.address)).not.toContain(CORES[0]);
    expect(await rolesAt(CORES[1])).toEqual({ system: 'LEADER', neo4j: 'LEADER', orders: 'LEADER' });
    expect(await rolesAt(CORES[2])).toEqual({ system: 'FOLLOWER', neo4j: 'FOLLOWER', orders: 'FOLLOWER' });
    expect(() => cluster.stopProcess(CORES[0])).toThrow('emulator: no member at 10.0.1.1:7687');
  });

  test('an unreachable member stays in the overview, its copies unknown in SHOW DATABASES', async () => {
    const { cluster, rolesAt, copiesAt } = threeCores();
    cluster.setReachable(CORES[2], false);
    expect(await rolesAt(CORES[2])).toEqual({ system: 'FOLLOWER', neo4j: 'FOLLOWER', orders: 'FOLLOWER' });
    expect(await copiesAt(CORES[2])).toEqual(['system unknown unknown', 'neo4j unknown unknown', 'orders unknown unknown']);
  });

  test('only the overview and SHOW DATABASES on system are answered; YIELD of an unknown column, 5.x commands and SHOW DATABASES elsewhere are refused', async () => {
    const { bolt, statements } = threeCores();
    expect(await bolt.query('CALL dbms.cluster.overview() YIELD id, groups')).toHaveLength(3);
    await expect(bolt.query('SHOW SERVERS', {}, 'system')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.SyntaxError' });
    await expect(bolt.query("ENABLE SERVER 'x'", {}, 'system', 'write')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.SyntaxError' });
    await expect(bolt.query('SHOW DATABASES YIELD statusMessage', {}, 'system')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.SyntaxError' });
    await expect(bolt.query('SHOW DATABASES', {}, 'neo4j')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.UnsupportedAdministrationCommand' });
    expect(statements.map((s) => s.cypher)).toHaveLength(5);
  });
});
