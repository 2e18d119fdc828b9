import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ClusterMembershipDeps, ClusterMembershipInput, logic } from '../../lambda/cluster-membership/logic';
import { BoltAccess, BoltClient, BoltConnect } from '../../lambda/shared/bolt';
import { HealthGateError, InvalidInputError, PreconditionFailedError, StillInProgressError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { gateCluster } from './fixtures/gate-cluster';

/** Bolt-level unit tests of the membership handler: what it sends and how it names driver errors. */
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-admin-AbCdEf';
const OLD = '10.0.1.1:7687';
const NEW = '10.0.1.9:7687';

type Answer = Record<string, unknown>[] | Error;
interface Sent { cypher: string; database?: string; access?: BoltAccess }

function fakeBolt(answers: [RegExp, Answer][]) {
  const sent: Sent[] = [];
  let closed = false;
  const client: BoltClient = {
    serverInfo: async () => ({ address: OLD, agent: 'Neo4j/5.26.30', protocolVersion: '5.8' }),
    query: async (cypher, _params, database, access) => {
      sent.push({ cypher, database, access });
      const answer = answers.find(([re]) => re.test(cypher))?.[1];
      if (answer === undefined) throw new Error(`fake Bolt has no answer for: ${cypher}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    close: async () => { closed = true; },
  };
  return { connect: jest.fn((..._args: Parameters<BoltConnect>) => client), sent, closed: () => closed };
}

const neo4jError = (code: string, message: string) => Object.assign(new Error(message), { name: 'Neo4jError', code });
const server = (address: string, state: string, hosting: string[], over: Record<string, unknown> = {}) =>
  ({ serverId: `id-${address}`, name: `id-${address}`, address, state, health: 'Available', hosting, requestedHosting: hosting, ...over });
const SHOW_DATABASES: [RegExp, Answer] = [/^SHOW DATABASES/, []];

const secrets = mockClient(SecretsManagerClient);
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: 'neo4j', password: 'pw' }) });
});

function run(bolt: ReturnType<typeof fakeBolt>, over: Partial<ClusterMembershipInput>) {
  const deps: ClusterMembershipDeps = { secrets: new SecretsManagerClient({ region: 'us-east-1' }), connect: bolt.connect, now: () => new Date(0), log: memoryLogger() };
  return logic(deps, {
    cluster: gateCluster({ boltUri: 'neo4j://neo4j.internal:7687', credentialsSecretArn: SECRET_ARN, versionFamily: '5' }),
    action: 'enable-server', serverAddress: NEW, ...over,
  } as ClusterMembershipInput);
}

describe('cluster-membership (Bolt-level)', () => {
  test.each([
    [{ action: 'remove-server' }, 'action must be one of enable-server, wait-hosting, deallocate, wait-drained, drop-server, withdraw-new-member, wait-joined, wait-left, got "remove-server"'],
    [{ serverAddress: 'neo4j.internal' }, 'serverAddress must be a Bolt address host:port as SHOW SERVERS lists it, got "neo4j.internal"'],
    [{ action: 'deallocate', serverAddress: OLD }, 'replacementAddress must be a non-empty string, got undefined'],
    [{ action: 'deallocate', serverAddress: OLD, replacementAddress: OLD }, 'replacementAddress must differ from serverAddress (the old member), both are "10.0.1.1:7687"'],
    [{ action: 'drop-server', serverAddress: OLD, replacementAddress: NEW }, 'replacementAddress is only for action deallocate, got "10.0.1.9:7687" with action drop-server'],
    [{ poll: { everySeconds: 0, withinSeconds: 10 } }, 'poll.everySeconds must be an integer from 1 to 60, got 0'],
  ])('bad input %j is refused before any connection', async (over, message) => {
    const bolt = fakeBolt([]);
    const err = await run(bolt, over as Partial<ClusterMembershipInput>).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toBe(message);
    expect(bolt.connect).not.toHaveBeenCalled();
  });

  test('reads both listings on system in read sessions and sends ENABLE SERVER in a write session, the id quoted as a literal', async () => {
    const bolt = fakeBolt([
      [/^SHOW SERVERS/, [server(OLD, 'Enabled', ['neo4j', 'system']), server(NEW, 'Free', ['system'], { serverId: "odd'id", hosting: null })]],
      SHOW_DATABASES, [/^ENABLE SERVER/, []],
    ]);
    await expect(run(bolt, {})).resolves.toMatchObject({ serverId: "odd'id", state: 'Enabled', changed: true, hosting: [] });
    expect(bolt.sent).toEqual([
      { cypher: 'SHOW SERVERS YIELD serverId, name, address, state, health, hosting, requestedHosting', database: 'system', access: undefined },
      { cypher: 'SHOW DATABASES YIELD name, serverID, address, requestedStatus, currentStatus, statusMessage', database: 'system', access: undefined },
      { cypher: "ENABLE SERVER 'odd\\'id'", database: 'system', access: 'write' },
    ]);
    expect(bolt.closed()).toBe(true);
  });

  test.each([
    ['ServiceUnavailable', HealthGateError, 'expected the cluster to answer enable-server at neo4j://neo4j.internal:7687: ServiceUnavailable: no routing servers'],
    ['Neo.TransientError.General.DatabaseUnavailable', HealthGateError, 'expected the cluster to answer enable-server'],
    ['Neo.ClientError.Statement.ArgumentError', PreconditionFailedError, 'the cluster refused enable-server at neo4j://neo4j.internal:7687: Neo.ClientError.Statement.ArgumentError: no routing servers'],
  ])('a driver error %s is a %p, and the connection is closed', async (code, type, message) => {
    const bolt = fakeBolt([[/^SHOW SERVERS/, neo4jError(code, 'no routing servers')]]);
    const err = await run(bolt, {}).catch((e: Error) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toContain(message);
    expect(bolt.closed()).toBe(true);
  });

  test('a command answered NotALeader (the system leader moved) is retryable', async () => {
    const bolt = fakeBolt([
      [/^SHOW SERVERS/, [server(OLD, 'Deallocated', ['system'])]], SHOW_DATABASES,
      [/^DROP SERVER/, neo4jError('Neo.ClientError.Cluster.NotALeader', 'not the leader')],
    ]);
    await expect(run(bolt, { action: 'drop-server', serverAddress: OLD })).rejects.toThrow(HealthGateError);
  });

  test.each([
    ['enable-server', NEW, server(NEW, 'Deallocating', ['system']), 'expected the server at 10.0.1.9:7687 Free (new) or Enabled; found'],
    ['wait-hosting', NEW, server(NEW, 'Free', ['system']), 'expected the new member at 10.0.1.9:7687 Enabled (enable-server first)'],
    ['wait-drained', OLD, server(OLD, 'Enabled', ['neo4j', 'system']), 'expected the old member at 10.0.1.1:7687 Deallocating or Deallocated (deallocate first)'],
    ['drop-server', OLD, server(OLD, 'Cordoned', ['neo4j', 'system']), 'drained (Deallocated) before DROP SERVER'],
    ['drop-server', OLD, server(OLD, 'Deallocating', ['system'], { requestedHosting: ['neo4j', 'system'] }), 'drained (Deallocated) before DROP SERVER'],
  ])('%s on a server in the wrong state is a PreconditionFailedError, no command sent', async (action, address, listed, message) => {
    const bolt = fakeBolt([[/^SHOW SERVERS/, [listed]], SHOW_DATABASES]);
    const err = await run(bolt, { action: action as ClusterMembershipInput['action'], serverAddress: address }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect((err as Error).message).toContain(message);
    expect(bolt.sent.every((s) => s.cypher.startsWith('SHOW'))).toBe(true);
  });

  test('deallocate on a server no longer listed is refused (a wrong address never passes for a retired server)', async () => {
    const bolt = fakeBolt([[/^SHOW SERVERS/, [server(NEW, 'Enabled', ['system'])]], SHOW_DATABASES]);
    await expect(run(bolt, { action: 'deallocate', serverAddress: OLD, replacementAddress: NEW }))
      .rejects.toThrow('expected the old member at 10.0.1.1:7687 listed in SHOW SERVERS; found none');
  });

  test('before 5.15 (no Deallocated state) a Deallocating server hosting only system is drained and dropped', async () => {
    const bolt = fakeBolt([[/^SHOW SERVERS/, [server(OLD, 'Deallocating', ['system']), server(NEW, 'Enabled', ['neo4j', 'system'])]], SHOW_DATABASES, [/^DROP SERVER/, []]]);
    await expect(run(bolt, { action: 'wait-drained', serverAddress: OLD })).resolves.toMatchObject({ state: 'Deallocating', changed: false });
    await expect(run(bolt, { action: 'drop-server', serverAddress: OLD })).resolves.toMatchObject({ state: 'Dropped', changed: true });
    expect(bolt.sent.filter((s) => s.access === 'write').map((s) => s.cypher)).toEqual([`DROP SERVER 'id-${OLD}'`]);
  });

  describe('4.4 causal waits (dbms.cluster.overview and SHOW DATABASES)', () => {
    const member = (id: string, uris: string[], databases: Record<string, string>) => ({ id, addresses: uris, databases, groups: [] });
    const copy = (name: string, address: string, role: string, currentStatus = 'online') =>
      ({ name, address, role, requestedStatus: 'online', currentStatus, error: '' });

    test('wait-joined reads the overview without a database and SHOW DATABASES on system, both read sessions; a neo4j:// address and lower-case roles count', async () => {
      const bolt = fakeBolt([
        [/^CALL dbms\.cluster\.overview/, [
          member('old', [`bolt://${OLD}`], { system: 'LEADER', neo4j: 'LEADER' }),
          member('new', ['http://10.0.1.9:7474', `neo4j://${NEW}`], { system: 'follower', neo4j: 'read_replica' }),
        ]],
        [/^SHOW DATABASES/, [copy('system', OLD, 'leader'), copy('neo4j', OLD, 'leader'), copy('system', NEW, 'follower'), copy('neo4j', NEW, 'read_replica')]],
      ]);
      await expect(run(bolt, { action: 'wait-joined' })).resolves.toMatchObject({ serverId: 'new', state: 'READ_REPLICA', hosting: ['neo4j', 'system'], changed: false });
      expect(bolt.sent).toEqual([
        { cypher: 'CALL dbms.cluster.overview()', database: undefined, access: undefined },
        { cypher: 'SHOW DATABASES YIELD name, address, role, requestedStatus, currentStatus, error', database: 'system', access: undefined },
      ]);
    });

    test.each([
      ['a database another member runs is missing', { system: 'FOLLOWER' }, [], 'neo4j not listed in the overview'],
      ['a role that does not run the database', { system: 'FOLLOWER', neo4j: 'CANDIDATE' }, [], 'neo4j listed as CANDIDATE in the overview'],
      ['a copy at its address not at its requested status', { system: 'FOLLOWER', neo4j: 'FOLLOWER' }, [copy('neo4j', NEW, 'follower', 'store copying')],
        'neo4j on 10.0.1.9:7687 store copying (requested online)'],
    ])('wait-joined not yet (%s): StillInProgressError', async (_why, roles, copies, message) => {
      const bolt = fakeBolt([
        [/^CALL/, [member('old', [`bolt://${OLD}`], { system: 'LEADER', neo4j: 'LEADER' }), member('new', [`bolt://${NEW}`], roles)]],
        [/^SHOW DATABASES/, copies],
      ]);
      const err = await run(bolt, { action: 'wait-joined' }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(StillInProgressError);
      expect((err as Error).message).toContain(message);
    });

    test('wait-left: a member listed only in SHOW DATABASES (the overview already dropped it) is still in progress', async () => {
      const bolt = fakeBolt([[/^CALL/, [member('new', [`bolt://${NEW}`], { neo4j: 'LEADER' })]], [/^SHOW DATABASES/, [copy('neo4j', OLD, 'unknown', 'unknown')]]]);
      await expect(run(bolt, { action: 'wait-left', serverAddress: OLD })).rejects.toThrow(
        'expected the member at 10.0.1.1:7687 gone from the cluster (its process stopped); still listed in SHOW DATABASES with neo4j (unknown, unknown)');
    });

    test('a driver error on the overview is named as the others are (ServiceUnavailable: HealthGateError)', async () => {
      const bolt = fakeBolt([[/^CALL/, neo4jError('ServiceUnavailable', 'no routing servers')]]);
      await expect(run(bolt, { action: 'wait-left', serverAddress: OLD })).rejects.toThrow(
        'expected the cluster to answer wait-left at neo4j://neo4j.internal:7687: ServiceUnavailable: no routing servers');
    });
  });
});
