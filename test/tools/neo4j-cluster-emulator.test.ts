import { EmulatedCluster, EmulatedStatement, emulatedBolt } from '../../tools/neo4j-cluster-emulator';

/** SIMULATED 5.x server management: the model answers as the operations manual documents it. */
const ADDRESSES = ['10.0.1.1:7687', '10.0.2.1:7687', '10.0.3.1:7687'];
const NEW = '10.0.1.9:7687';
const SERVERS = 'SHOW SERVERS YIELD serverId, address, state, health, hosting, requestedHosting';

function threeServers(copyStartLooks = 2) {
  const cluster = EmulatedCluster.formed(ADDRESSES, [{ name: 'neo4j', primaries: 3, secondaries: 0 }], { copyStartLooks });
  const statements: EmulatedStatement[] = [];
  const bolt = emulatedBolt(cluster, { statements });
  const servers = async () => bolt.query(SERVERS, {}, 'system');
  const at = async (address: string) => (await servers()).find((s) => s.address === address);
  const admin = (cypher: string) => bolt.query(cypher, {}, 'system', 'write');
  return { cluster, bolt, statements, servers, at, admin };
}

describe('Neo4j cluster emulator (SIMULATED server management)', () => {
  test('a formed cluster lists its servers Enabled, hosting system and their databases; a started one is Free with its id as name', async () => {
    const { cluster, bolt, servers } = threeServers();
    const started = cluster.start({ address: NEW });
    expect(await servers()).toEqual([
      ...ADDRESSES.map((address) => expect.objectContaining({ address, state: 'Enabled', health: 'Available', hosting: ['neo4j', 'system'], requestedHosting: ['neo4j', 'system'] })),
      expect.objectContaining({ serverId: started.serverId, address: NEW, state: 'Free', hosting: ['system'], requestedHosting: ['system'] }),
    ]);
    expect(await bolt.query('SHOW SERVERS')).toEqual(expect.arrayContaining([{ name: started.serverId, address: NEW, state: 'Free', health: 'Available', hosting: ['system'] }]));
    await expect(bolt.query('SHOW SERVERS YIELD nope')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.SyntaxError' });
  });

  test('ENABLE SERVER enables a Free server and leaves an Enabled one as it is; administration needs a write session on system', async () => {
    const { cluster, at, admin, bolt } = threeServers();
    const id = cluster.start({ address: NEW }).serverId;
    await expect(bolt.query(`ENABLE SERVER '${id}'`, {}, 'system')).rejects.toMatchObject({ code: 'Neo.ClientError.Cluster.NotALeader' });
    await expect(bolt.query(`ENABLE SERVER '${id}'`, {}, 'neo4j', 'write')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.UnsupportedAdministrationCommand' });
    expect(await at(NEW)).toMatchObject({ state: 'Free' });
    await admin(`ENABLE SERVER '${id}'`);
    await admin(`ENABLE SERVER '${id}'`);
    // Enabled: a member, but nothing allocates a user database to it yet.
    expect(await at(NEW)).toMatchObject({ state: 'Enabled', hosting: ['system'], requestedHosting: ['system'] });
    await expect(admin("ENABLE SERVER 'no-such-server'")).rejects.toThrow("Server 'no-such-server' does not exist");
  });

  test('DEALLOCATE moves the databases to the enabled server that lacks them, keeping the old primary copy until the new one is online', async () => {
    const { cluster, at, admin, bolt } = threeServers(3);
    const id = cluster.start({ address: NEW }).serverId;
    await admin(`ENABLE SERVER '${id}'`);
    const old = cluster.byAddress(ADDRESSES[0]).serverId;
    await admin(`DEALLOCATE DATABASES FROM SERVER '${old}'`);
    expect(await at(ADDRESSES[0])).toMatchObject({ state: 'Deallocating', hosting: ['neo4j', 'system'], requestedHosting: ['system'] });
    const onNew = (await bolt.query('SHOW DATABASES YIELD name, serverID, currentStatus, requestedStatus', {}, 'system'))
      .find((r) => r.serverID === id && r.name === 'neo4j');
    expect(onNew).toMatchObject({ currentStatus: 'starting', requestedStatus: 'online' });
    expect(await at(NEW)).toMatchObject({ hosting: ['neo4j', 'system'], requestedHosting: ['neo4j', 'system'] });
    expect(await at(ADDRESSES[0])).toMatchObject({ state: 'Deallocated', hosting: ['system'] });
    await expect(admin(`DEALLOCATE DATABASES FROM SERVER '${old}'`)).rejects.toThrow('it is Deallocated');
  });

  test('DEALLOCATE is refused, nothing changed, when no other server can take a database (the cluster would lose a primary)', async () => {
    const { cluster, at, admin } = threeServers();
    await expect(admin(`DEALLOCATE DATABASES FROM SERVER '${cluster.byAddress(ADDRESSES[1]).serverId}'`))
      .rejects.toThrow('no server can take database neo4j');
    expect(await at(ADDRESSES[1])).toMatchObject({ state: 'Enabled', hosting: ['neo4j', 'system'] });
  });

  test('DROP SERVER only drops a drained server; a dropped one is listed until its process exits', async () => {
    const { cluster, at, admin, servers } = threeServers(1);
    const id = cluster.start({ address: NEW }).serverId;
    const old = cluster.byAddress(ADDRESSES[2]).serverId;
    await expect(admin(`DROP SERVER '${old}'`)).rejects.toThrow(`Cannot drop server '${old}': it is Enabled and hosts neo4j`);
    await admin(`ENABLE SERVER '${id}'`);
    await admin(`DEALLOCATE DATABASES FROM SERVER '${old}'`);
    await servers();
    await admin(`DROP SERVER '${old}'`);
    expect(await at(ADDRESSES[2])).toMatchObject({ state: 'Dropped', hosting: [], requestedHosting: [] });
    cluster.stopProcess(ADDRESSES[2]);
    expect(await at(ADDRESSES[2])).toBeUndefined();
  });

  test('a copy held in starting never comes online; an unavailable server reports unknown and runs nothing', async () => {
    const { cluster, at, admin, bolt } = threeServers(1);
    const id = cluster.start({ address: NEW }).serverId;
    cluster.holdStarting(NEW, 'neo4j');
    await admin(`ENABLE SERVER '${id}'`);
    await admin(`DEALLOCATE DATABASES FROM SERVER '${cluster.byAddress(ADDRESSES[0]).serverId}'`);
    for (let i = 0; i < 5; i++) await at(NEW);
    expect(await at(ADDRESSES[0])).toMatchObject({ state: 'Deallocating', hosting: ['neo4j', 'system'] });
    cluster.setHealth(ADDRESSES[1], 'Unavailable');
    const rows = await bolt.query('SHOW DATABASES', {}, 'system');
    expect(rows.filter((r) => r.address === ADDRESSES[1])).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'neo4j', currentStatus: 'unknown' })]));
    expect(rows.find((r) => r.address === NEW && r.name === 'neo4j')).toMatchObject({ currentStatus: 'starting' });
    expect(await at(ADDRESSES[1])).toMatchObject({ hosting: [] });
  });
});
