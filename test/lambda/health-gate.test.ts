import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { HealthGateDeps, HealthGateInput, HealthGateOutput, logic } from '../../lambda/health-gate/logic';
import { hostOf } from '../../lambda/health-gate/topology';
import { hostPortOf } from '../../lambda/shared/bolt-address';
import { BoltClient, BoltConnect } from '../../lambda/shared/bolt';
import { HealthGateError, InvalidInputError, PreconditionFailedError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';
import { gateCluster } from './fixtures/gate-cluster';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-admin-AbCdEf';
const PASSWORD = 's3cret-password';
const NOW = new Date('2026-03-04T05:06:07Z');

// ---- fakes ------------------------------------------------------------------------------------------

type Answer = Record<string, unknown>[] | Error;

interface FakeBolt {
  readonly connect: jest.MockedFunction<BoltConnect>;
  readonly calls: { cypher: string; database?: string }[];
  readonly closed: () => boolean;
}

/** A Bolt client that answers queries by the first pattern that matches; an unmatched query is a test bug. */
function fakeBolt(agent: string, answers: [RegExp, Answer][], opts: { address?: string; serverInfo?: Error } = {}): FakeBolt {
  const calls: { cypher: string; database?: string }[] = [];
  let closed = false;
  const client: BoltClient = {
    serverInfo: async () => {
      if (opts.serverInfo) throw opts.serverInfo;
      return { address: opts.address ?? '10.0.0.1:7687', agent, protocolVersion: '5.8' };
    },
    query: async (cypher, _params, database) => {
      calls.push({ cypher, database });
      const answer = answers.find(([re]) => re.test(cypher))?.[1];
      if (answer === undefined) throw new Error(`fake Bolt has no answer for: ${cypher}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    close: async () => { closed = true; },
  };
  return { connect: jest.fn((..._args: Parameters<BoltConnect>) => client), calls, closed: () => closed };
}

function neo4jError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'Neo4jError', code });
}

const COMMUNITY = [{ name: 'Neo4j Kernel', edition: 'community' }];
const ENTERPRISE = [{ name: 'Neo4j Kernel', edition: 'enterprise' }];
const components = (rows = ENTERPRISE): [RegExp, Answer] => [/dbms\.components/, rows];

const secrets = mockClient(SecretsManagerClient);
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: 'neo4j', password: PASSWORD }) });
});

function deps(bolt: FakeBolt): HealthGateDeps {
  return { secrets: new SecretsManagerClient({ region: 'us-east-1' }), connect: bolt.connect, now: () => NOW, log: memoryLogger() };
}

function input(over: Partial<HealthGateInput> = {}): HealthGateInput {
  return {
    cluster: gateCluster({ boltUri: 'bolt://neo4j.internal:7687', credentialsSecretArn: SECRET_ARN, versionFamily: '5' }),
    expectedVersion: '5.26.2',
    expectedEdition: 'enterprise',
    expectedMembers: 3,
    ...over,
  };
}

async function failure(bolt: FakeBolt, over: Partial<HealthGateInput> = {}): Promise<Error> {
  const err = await logic(deps(bolt), input(over)).then(
    (out) => { throw new Error(`expected the gate to fail, it passed: ${JSON.stringify(out)}`); },
    (e: Error) => e,
  );
  return err;
}

// ---- 5.x / calendar versions fixtures ------------------------------------------------------------------

const server = (name: string, ip: string, over: Record<string, unknown> = {}) => ({
  name, address: `${ip}:7687`, state: 'Enabled', health: 'Available', hosting: ['neo4j', 'system'], requestedHosting: ['neo4j', 'system'], ...over,
});
const db = (name: string, ip: string, over: Record<string, unknown> = {}) => ({
  name, address: `${ip}:7687`, role: 'primary', writer: false, currentStatus: 'online', requestedStatus: 'online', statusMessage: '', ...over,
});
const SERVERS = [server('s1', '10.0.0.1'), server('s2', '10.0.0.2'), server('s3', '10.0.0.3')];
const DATABASES = [
  db('neo4j', '10.0.0.1'), db('neo4j', '10.0.0.2', { writer: true }), db('neo4j', '10.0.0.3'),
  db('system', '10.0.0.1', { writer: true }), db('system', '10.0.0.2'), db('system', '10.0.0.3'),
];

function v5(over: { servers?: Answer; databases?: Answer; agent?: string; components?: Answer } = {}): FakeBolt {
  return fakeBolt(over.agent ?? 'Neo4j/5.26.2', [
    [/dbms\.components/, over.components ?? ENTERPRISE],
    [/^SHOW SERVERS/, over.servers ?? SERVERS],
    [/^SHOW DATABASES/, over.databases ?? DATABASES],
  ]);
}

// ---- tests --------------------------------------------------------------------------------------------

describe('input is checked before any call', () => {
  test.each<[string, Partial<HealthGateInput> | ((i: HealthGateInput) => HealthGateInput), string]>([
    ['cluster missing', (i) => ({ ...i, cluster: undefined as never }), 'cluster must be an object, got undefined'],
    ['boltUri missing', (i) => ({ ...i, cluster: { ...i.cluster, boltUri: '' } }), 'cluster.boltUri must be a non-empty string, got ""'],
    ['boltUri not Bolt', (i) => ({ ...i, cluster: { ...i.cluster, boltUri: 'http://neo4j:7474' } }),
      'cluster.boltUri must be bolt://host:port or neo4j://host:port (+s, +ssc allowed), got "http://neo4j:7474"'],
    ['secret missing', (i) => ({ ...i, cluster: { ...i.cluster, credentialsSecretArn: undefined as never } }),
      'cluster.credentialsSecretArn must be a non-empty string, got undefined'],
    ['expectedMembers 0', { expectedMembers: 0 }, 'expectedMembers must be an integer >= 1, got 0'],
    ['expectedMembers fraction', { expectedMembers: 1.5 }, 'expectedMembers must be an integer >= 1, got 1.5'],
    ['database empty', { database: '' }, 'database must be a non-empty string, got ""'],
    ['expectedVersion missing', { expectedVersion: undefined as never }, 'expectedVersion must be a non-empty string, got undefined'],
    ['expectedVersion not a version', { expectedVersion: 'five' }, 'expectedVersion must be a Neo4j version like 5.26.2, got "five"'],
    ['expectedEdition unknown', { expectedEdition: 'gold' }, 'expectedEdition must be one of enterprise, community or empty, got "gold"'],
    ['expectedPrimaries 0', { expectedPrimaries: 0 }, 'expectedPrimaries must be an integer >= 1, got 0'],
    ['expectedSecondaries negative', { expectedSecondaries: -1 }, 'expectedSecondaries must be an integer >= 0, got -1'],
    ['maxTransactionLag text', { maxTransactionLag: '5' as never }, 'maxTransactionLag must be an integer >= 0, got "5"'],
  ])('%s', async (_label, change, message) => {
    const bolt = v5();
    const bad = typeof change === 'function' ? change(input()) : input(change);
    const err = await logic(deps(bolt), bad).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(secrets.calls()).toHaveLength(0);
    expect(bolt.connect).not.toHaveBeenCalled();
  });
});

describe('credentials from Secrets Manager', () => {
  test('are passed to Bolt with the cluster URI', async () => {
    const bolt = v5();
    await logic(deps(bolt), input());
    expect(bolt.connect).toHaveBeenCalledWith('bolt://neo4j.internal:7687', { username: 'neo4j', password: PASSWORD }, { timeoutMs: undefined });
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  test.each<[string, () => void, string]>([
    ['secret missing', () => secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' })),
      `credentials secret ${SECRET_ARN} does not exist`],
    ['secret scheduled for deletion', () => secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('marked for deletion'), { name: 'InvalidRequestException' })),
      `credentials secret ${SECRET_ARN} cannot be read: marked for deletion`],
    ['binary secret', () => secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) }),
      `credentials secret ${SECRET_ARN} has no SecretString (binary secrets are not supported)`],
    ['not JSON', () => secrets.on(GetSecretValueCommand).resolves({ SecretString: `password=${PASSWORD}` }),
      `credentials secret ${SECRET_ARN} is not JSON; expected {"username": "...", "password": "..."}`],
    ['no password', () => secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"neo4j"}' }),
      `credentials secret ${SECRET_ARN} lacks a non-empty string password`],
    ['neither field', () => secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"user":"neo4j","pass":1}' }),
      `credentials secret ${SECRET_ARN} lacks a non-empty string username and password`],
  ])('%s is a precondition failure that does not reveal the secret', async (_label, arrange, message) => {
    secrets.reset();
    arrange();
    const bolt = v5();
    const err = await failure(bolt);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(err.message).toBe(message);
    expect(err.message).not.toContain(PASSWORD);
    expect(bolt.connect).not.toHaveBeenCalled();
  });

  test('throttling is rethrown unchanged for Step Functions Retry', async () => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const err = await failure(v5());
    expect(err.name).toBe('ThrottlingException');
  });
});

describe('reachability', () => {
  test('unreachable: HealthGateError naming the URI', async () => {
    const bolt = fakeBolt('Neo4j/5.26.2', [], { serverInfo: neo4jError('ServiceUnavailable', 'Could not perform discovery. No routing servers available.') });
    const err = await failure(bolt, { stage: 'scale-out' });
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe(
      'stage scale-out: expected Neo4j to answer Bolt at bolt://neo4j.internal:7687; found it unreachable: Could not perform discovery. No routing servers available.');
    expect(bolt.closed()).toBe(true);
  });

  test('authentication refused: HealthGateError naming the user and secret, never the password', async () => {
    const bolt = fakeBolt('Neo4j/5.26.2', [], { serverInfo: neo4jError('Neo.ClientError.Security.Unauthorized', 'The client is unauthorized due to authentication failure.') });
    const err = await failure(bolt);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe(
      `expected Neo4j at bolt://neo4j.internal:7687 to accept user neo4j (credentials from ${SECRET_ARN}); ` +
      'found authentication refused: Neo.ClientError.Security.Unauthorized: The client is unauthorized due to authentication failure.');
    expect(err.message).not.toContain(PASSWORD);
  });

  test('auth rate limit counts as refused', async () => {
    const bolt = fakeBolt('Neo4j/5.26.2', [], { serverInfo: neo4jError('Neo.ClientError.Security.AuthenticationRateLimit', 'too many attempts') });
    expect((await failure(bolt)).message).toMatch(/found authentication refused: Neo\.ClientError\.Security\.AuthenticationRateLimit/);
  });

  test('a driver that cannot even be created is a gate failure', async () => {
    const bolt = v5();
    bolt.connect.mockImplementation(() => { throw neo4jError('Neo.ClientError.Request.Invalid', 'bad URL'); });
    const err = await failure(bolt);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe('expected Bolt connection to succeed at bolt://neo4j.internal:7687; found Neo.ClientError.Request.Invalid: bad URL');
  });

  test('something that is not Neo4j', async () => {
    const err = await failure(fakeBolt('Memgraph/2.0', []));
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe('expected a Neo4j server at bolt://neo4j.internal:7687; found agent "Memgraph/2.0"');
  });
});

describe('version and edition', () => {
  test('a different patch fails, naming both', async () => {
    const err = await failure(v5({ agent: 'Neo4j/5.26.1' }), { stage: 'rolling' });
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe('stage rolling: expected Neo4j 5.26.2 at bolt://neo4j.internal:7687; found Neo4j 5.26.1');
  });

  test('the old major still running fails', async () => {
    const err = await failure(v5({ agent: 'Neo4j/5.26.2' }), { expectedVersion: '2025.10.1' });
    expect(err.message).toBe('expected Neo4j 2025.10.1 at bolt://neo4j.internal:7687; found Neo4j 5.26.2');
  });

  test('mid-roll the previous version is accepted as well, and only it; a bad one is refused', async () => {
    const previous = { expectedVersion: '5.26.2', acceptedPreviousVersion: '5.26.1' };
    expect((await logic(deps(v5({ agent: 'Neo4j/5.26.1' })), input(previous))).serverVersion).toBe('5.26.1');
    expect((await logic(deps(v5({ agent: 'Neo4j/5.26.2' })), input(previous))).serverVersion).toBe('5.26.2');
    expect((await failure(v5({ agent: 'Neo4j/5.26.0' }), previous)).message)
      .toBe('expected Neo4j 5.26.2 (or 5.26.1, mid-roll) at bolt://neo4j.internal:7687; found Neo4j 5.26.0');
    expect((await failure(v5(), { acceptedPreviousVersion: 'five' })).message)
      .toBe('acceptedPreviousVersion must be a Neo4j version like 5.26.1, got "five"');
  });

  test('calendar versions compare by number (2026.08.1 is 2026.8.1)', async () => {
    const out = await logic(deps(v5({ agent: 'Neo4j/2026.08.1' })), input({ expectedVersion: '2026.8.1' }));
    expect(out.serverVersion).toBe('2026.08.1');
  });

  test('the expected version is the plan\'s, exact to the patch (one image parser: the plan\'s)', async () => {
    expect((await failure(v5({ agent: 'Neo4j/5.26.9' }), { expectedVersion: '5.26.2' })).message)
      .toBe('expected Neo4j 5.26.2 at bolt://neo4j.internal:7687; found Neo4j 5.26.9');
  });

  test('an edition the tag names must match', async () => {
    const err = await failure(v5({ components: COMMUNITY }));
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe('expected Neo4j enterprise edition at bolt://neo4j.internal:7687; found community');
  });

  test('no expected edition accepts either', async () => {
    expect((await logic(deps(v5({ components: COMMUNITY })), input({ expectedEdition: '' }))).serverEdition).toBe('community');
  });
});

describe('5.x and calendar versions: SHOW SERVERS + SHOW DATABASES', () => {
  test('three enabled servers and one writer pass, membership from Bolt', async () => {
    const bolt = v5();
    const out = await logic(deps(bolt), input({ stage: 'rolling' }));
    expect(out).toEqual<HealthGateOutput>({
      stage: 'rolling',
      serverVersion: '5.26.2',
      serverEdition: 'enterprise',
      topology: 'servers',
      leaders: 1,
      members: 3,
      leaderAddress: '10.0.0.2:7687',
      leaderHost: '10.0.0.2',
      memberAddresses: ['10.0.0.1:7687', '10.0.0.2:7687', '10.0.0.3:7687'],
      primaries: 3,
      secondaries: 0,
      notes: [],
      checkedAt: '2026-03-04T05:06:07.000Z',
    });
    expect(bolt.calls.filter((c) => /^SHOW/.test(c.cypher)).every((c) => c.database === 'system')).toBe(true);
    expect(bolt.closed()).toBe(true);
  });

  test('a member short fails, listing the members found', async () => {
    const err = await failure(v5(), { expectedMembers: 4 });
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe(
      'expected 4 member(s); found 3 (SHOW SERVERS and SHOW DATABASES: s1 10.0.0.1:7687 primary; s2 10.0.0.2:7687 primary; s3 10.0.0.3:7687 primary)');
  });

  test('no writer: no leader', async () => {
    const err = await failure(v5({ databases: DATABASES.map((d) => (d.name === 'neo4j' ? { ...d, writer: false } : d)) }));
    expect(err.message).toBe('expected exactly one leader of database neo4j (SHOW SERVERS and SHOW DATABASES); found 0: none');
  });

  test('two writers: split brain', async () => {
    const err = await failure(v5({ databases: DATABASES.map((d) => (d.name === 'neo4j' ? { ...d, writer: d.address !== '10.0.0.3:7687' } : d)) }));
    expect(err.message).toBe(
      'expected exactly one leader of database neo4j (SHOW SERVERS and SHOW DATABASES); found 2: s1 10.0.0.1:7687 primary (writer); s2 10.0.0.2:7687 primary (writer)');
  });

  test('the leader of another database is counted with `database`', async () => {
    const out = await logic(deps(v5()), input({ database: 'system' }));
    expect(out.leaderAddress).toBe('10.0.0.1:7687');
  });

  test('a new server left Free fails with the hint to enable it', async () => {
    const err = await failure(v5({ servers: [...SERVERS, server('s4', '10.0.0.4', { state: 'Free', hosting: [], requestedHosting: [] })] }));
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe(
      'expected every member ready and every database at its requested status (SHOW SERVERS and SHOW DATABASES); ' +
      'found: server s4 (10.0.0.4:7687) is Free and Available: run ENABLE SERVER');
  });

  test('an unavailable server fails', async () => {
    const err = await failure(v5({ servers: [server('s1', '10.0.0.1'), server('s2', '10.0.0.2'), server('s3', '10.0.0.3', { health: 'Unavailable' })] }));
    expect(err.message).toMatch(/found: server s3 \(10\.0\.0\.3:7687\) is Enabled and Unavailable$/);
  });

  test('rolling-upgrade gate: a server still moving databases fails', async () => {
    const err = await failure(v5({ servers: [server('s1', '10.0.0.1'), server('s2', '10.0.0.2'), server('s3', '10.0.0.3', { hosting: ['system'] })] }));
    expect(err.message).toMatch(/found: server s3 \(10\.0\.0\.3:7687\) hosts \[system\] but is requested to host \[neo4j, system\]$/);
  });

  test('rolling-upgrade gate: a database not at its requested status fails', async () => {
    const databases = DATABASES.map((d) => (d.name === 'neo4j' && d.address === '10.0.0.3:7687'
      ? { ...d, currentStatus: 'starting', statusMessage: 'catching up' } : d));
    const err = await failure(v5({ databases }));
    expect(err.message).toMatch(/found: database neo4j on 10\.0\.0\.3:7687 is starting, requested online \(catching up\)$/);
  });

  test('the database must exist', async () => {
    expect((await failure(v5(), { database: 'graph' })).message).toMatch(/found: database graph does not exist$/);
  });

  test('a query failure is a gate failure naming what was being read', async () => {
    const err = await failure(v5({ servers: neo4jError('Neo.TransientError.General.DatabaseUnavailable', 'system is unavailable') }));
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe(
      'expected reading the cluster topology to succeed at bolt://neo4j.internal:7687; found Neo.TransientError.General.DatabaseUnavailable: system is unavailable');
  });

  test('Community: SHOW SERVERS unsupported makes a standalone server that is its own leader', async () => {
    const unsupported = neo4jError('Neo.ClientError.Statement.NotSystemDatabaseError', 'Unsupported administration command: SHOW SERVERS');
    const databases = [db('neo4j', '127.0.0.1', { writer: true }), db('system', '127.0.0.1', { writer: true })];
    const bolt = v5({ servers: unsupported, databases, components: COMMUNITY });
    const out = await logic(deps(bolt), input({ expectedEdition: '', expectedMembers: 1 }));
    expect(out).toMatchObject({ topology: 'standalone', leaders: 1, members: 1, leaderAddress: '127.0.0.1:7687', memberAddresses: ['127.0.0.1:7687'] });
  });

  test('a standalone server is a cluster of one: a gate expecting more never passes (no instance-count fallback)', async () => {
    const unsupported = neo4jError('Neo.ClientError.Statement.NotSystemDatabaseError', 'Unsupported administration command: SHOW SERVERS');
    const bolt = v5({ servers: unsupported, databases: [db('neo4j', '127.0.0.1', { writer: true })] });
    const err = await failure(bolt, { expectedMembers: 3 });
    expect(err.message).toBe('expected 3 member(s); found 1 (SHOW DATABASES (SHOW SERVERS unsupported: not clustered): standalone 127.0.0.1:7687 standalone)');
  });
});

describe('cluster-level gate between rolled servers (5.x): roles and transaction convergence', () => {
  // Two primaries and one secondary; lastCommittedTxn per database and server, as Enterprise reports it.
  const rolling = [
    db('neo4j', '10.0.0.1', { lastCommittedTxn: 120 }), db('neo4j', '10.0.0.2', { writer: true, lastCommittedTxn: 121 }),
    db('neo4j', '10.0.0.3', { role: 'secondary', lastCommittedTxn: 119 }),
    db('system', '10.0.0.1', { writer: true, lastCommittedTxn: 40 }), db('system', '10.0.0.2', { lastCommittedTxn: 40 }),
    db('system', '10.0.0.3', { role: 'secondary', lastCommittedTxn: 40 }),
  ];
  const expectations = { expectedPrimaries: 2, expectedSecondaries: 1, maxTransactionLag: 5 };

  test('the expected primaries and secondaries, converged within the bound, pass', async () => {
    const out = await logic(deps(v5({ databases: rolling })), input(expectations));
    expect(out).toMatchObject({ primaries: 2, secondaries: 1, members: 3, leaderAddress: '10.0.0.2:7687', notes: [] });
  });

  test('a server still starting its database never passes, even though it is Enabled and Available', async () => {
    const starting = rolling.map((d) => (d.name === 'neo4j' && d.address === '10.0.0.3:7687' ? { ...d, currentStatus: 'starting' } : d));
    const err = await failure(v5({ databases: starting }), expectations);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe('expected every member ready and every database at its requested status (SHOW SERVERS and SHOW DATABASES); ' +
      'found: database neo4j on 10.0.0.3:7687 is starting, requested online');
  });

  test('a primary missing (the rolled server came back as a secondary) fails, naming both counts', async () => {
    const demoted = rolling.map((d) => (d.name === 'neo4j' && d.address === '10.0.0.1:7687' ? { ...d, role: 'secondary' } : d));
    const err = await failure(v5({ databases: demoted }), expectations);
    expect(err.message).toMatch(/found: database neo4j has 1 primary copies on available servers, expected 2; database neo4j has 2 secondary copies on available servers, expected 1$/);
  });

  test('a server more transactions behind than the bound fails, naming it', async () => {
    const behind = rolling.map((d) => (d.name === 'neo4j' && d.address === '10.0.0.3:7687' ? { ...d, lastCommittedTxn: 100 } : d));
    const err = await failure(v5({ databases: behind }), expectations);
    expect(err.message).toMatch(/found: database neo4j: last committed transaction 121 on the newest server, 100 on 10\.0\.0\.3:7687, more than 5 behind$/);
    await expect(logic(deps(v5({ databases: behind })), input({ ...expectations, maxTransactionLag: 21 }))).resolves.toMatchObject({ primaries: 2 });
  });

  test('a server that reports no transaction id cannot be compared: the gate holds', async () => {
    const unknown = rolling.map((d) => (d.name === 'system' && d.address === '10.0.0.2:7687' ? { ...d, lastCommittedTxn: null } : d));
    const err = await failure(v5({ databases: unknown }), expectations);
    expect(err.message).toMatch(/found: database system: server\(s\) 10\.0\.0\.2:7687 report no last committed transaction id, so convergence cannot be checked$/);
  });

  test('the gate database requested offline on a server fails (it must serve), although current = requested', async () => {
    const stopped = rolling.map((d) => (d.name === 'neo4j' && d.address === '10.0.0.1:7687'
      ? { ...d, currentStatus: 'offline', requestedStatus: 'offline' } : d));
    const err = await failure(v5({ databases: stopped }), expectations);
    expect(err.message).toMatch(/found: database neo4j on 10\.0\.0\.1:7687 is requested offline: the gate's database must be online/);
  });
});

describe('4.4 causal: dbms.cluster.overview()', () => {
  const member = (id: string, ip: string, role: string) => ({
    id, addresses: [`bolt://${ip}:7687`, `http://${ip}:7474`], databases: { neo4j: role, system: 'FOLLOWER' }, groups: [],
  });
  const databases44 = [{ name: 'neo4j', address: '10.0.0.1:7687', role: 'leader', currentStatus: 'online', requestedStatus: 'online', error: '' }];
  const v44 = (overview: Answer, databases: Answer = databases44) => fakeBolt('Neo4j/4.4.40', [
    components(), [/^SHOW DATABASES/, databases], [/dbms\.cluster\.overview/, overview],
  ]);
  const image = { expectedVersion: '4.4.40' };

  test('three cores with one leader pass', async () => {
    const bolt = v44([member('a', '10.0.0.1', 'LEADER'), member('b', '10.0.0.2', 'FOLLOWER'), member('c', '10.0.0.3', 'FOLLOWER')]);
    const out = await logic(deps(bolt), input(image));
    expect(out).toMatchObject({ topology: 'causal', leaders: 1, members: 3, leaderAddress: '10.0.0.1:7687', leaderHost: '10.0.0.1' });
  });

  test('cluster-level gate: cores are primaries, read replicas secondaries; 4.4 has no transaction ids to compare (noted)', async () => {
    const bolt = v44([member('a', '10.0.0.1', 'LEADER'), member('b', '10.0.0.2', 'FOLLOWER'), member('c', '10.0.0.3', 'READ_REPLICA')]);
    const out = await logic(deps(bolt), input({ ...image, expectedPrimaries: 2, expectedSecondaries: 1, maxTransactionLag: 0 }));
    expect(out).toMatchObject({ primaries: 2, secondaries: 1, notes: ['transaction convergence not checked: dbms.cluster.overview() reports no last committed transaction ids'] });
    const err = await failure(bolt, { ...image, expectedPrimaries: 3 });
    expect(err.message).toMatch(/found: database neo4j has 2 primary copies on available servers, expected 3$/);
  });

  test('two leaders fail', async () => {
    const err = await failure(v44([member('a', '10.0.0.1', 'LEADER'), member('b', '10.0.0.2', 'LEADER'), member('c', '10.0.0.3', 'FOLLOWER')]), image);
    expect(err.message).toBe('expected exactly one leader of database neo4j (dbms.cluster.overview()); found 2: a 10.0.0.1:7687 LEADER; b 10.0.0.2:7687 LEADER');
  });

  test('a member count below the stage fails', async () => {
    const err = await failure(v44([member('a', '10.0.0.1', 'LEADER'), member('b', '10.0.0.2', 'FOLLOWER')]), image);
    expect(err.message).toBe('expected 3 member(s); found 2 (dbms.cluster.overview(): a 10.0.0.1:7687 LEADER; b 10.0.0.2:7687 FOLLOWER)');
  });

  test('a database that is not online fails', async () => {
    const err = await failure(v44([member('a', '10.0.0.1', 'LEADER')], [{ ...databases44[0], currentStatus: 'offline', error: 'store locked' }]), image);
    expect(err.message).toMatch(/found: database neo4j on 10\.0\.0\.1:7687 is offline, requested online \(store locked\)$/);
  });

  test('no overview procedure: standalone (SINGLE mode), one member', async () => {
    const bolt = v44(neo4jError('Neo.ClientError.Procedure.ProcedureNotFound', 'There is no procedure with the name `dbms.cluster.overview`'),
      [{ ...databases44[0], role: 'standalone' }]);
    const out = await logic(deps(bolt), input({ ...image, expectedMembers: 1 }));
    expect(out).toMatchObject({ topology: 'standalone', leaders: 1, members: 1, leaderAddress: '10.0.0.1:7687' });
  });
});

describe('3.5 HA: the High Availability JMX bean', () => {
  const instance = (id: string, ip: string, haRole: string, over: Record<string, unknown> = {}) => ({
    description: 'org.neo4j.management.ClusterMemberInfo',
    properties: { instanceId: id, alive: true, available: true, haRole, uris: [`ha://${ip}:6001?serverId=${id}`, `backup://${ip}:6362`], roles: [], ...over },
  });
  const bean = (instances: unknown[]) => [{ attributes: { InstancesInCluster: { description: 'all instances', value: instances }, Role: { value: 'master' } } }];
  const v35 = (jmx: Answer, overview: Answer = neo4jError('Neo.ClientError.Procedure.ProcedureNotFound', 'no such procedure')) =>
    fakeBolt('Neo4j/3.5.35', [components(), [/dbms\.queryJmx/, jmx], [/dbms\.cluster\.overview/, overview]]);
  const image = { expectedVersion: '3.5.35' };

  test('master and two slaves pass; queries use the home database (Bolt 3)', async () => {
    const bolt = v35(bean([instance('1', '10.0.0.1', 'master'), instance('2', '10.0.0.2', 'slave'), instance('3', '10.0.0.3', 'slave')]));
    const out = await logic(deps(bolt), input({ ...image, stage: 'ha-restored' }));
    expect(out).toMatchObject({
      topology: 'ha', leaders: 1, members: 3, leaderAddress: '10.0.0.1:6001', leaderHost: '10.0.0.1',
      memberAddresses: ['10.0.0.1:6001', '10.0.0.2:6001', '10.0.0.3:6001'],
    });
    expect(bolt.calls.every((c) => c.database === undefined)).toBe(true);
  });

  test('a dead instance is noted, not counted', async () => {
    const bolt = v35(bean([instance('1', '10.0.0.1', 'master'), instance('2', '10.0.0.2', 'UNKNOWN', { alive: false, available: false })]));
    const out = await logic(deps(bolt), input({ ...image, expectedMembers: 1 }));
    expect(out.members).toBe(1);
    expect(out.notes).toEqual(['HA instance 2 (10.0.0.2:6001, UNKNOWN) is not alive and does not count as a member']);
  });

  test('an alive instance not yet available fails', async () => {
    const bolt = v35(bean([instance('1', '10.0.0.1', 'master'), instance('2', '10.0.0.2', 'PENDING', { available: false })]));
    const err = await failure(bolt, image);
    expect(err.message).toBe(
      'expected every member ready and every database at its requested status (dbms.queryJmx High Availability InstancesInCluster); ' +
      'found: HA instance 2 (10.0.0.2:6001, PENDING) is alive but not available');
  });

  test('two masters fail; no master fails', async () => {
    const two = await failure(v35(bean([instance('1', '10.0.0.1', 'master'), instance('2', '10.0.0.2', 'master')])), { ...image, expectedMembers: 2 });
    expect(two.message).toBe(
      'expected exactly one leader (master) (dbms.queryJmx High Availability InstancesInCluster); found 2: 1 10.0.0.1:6001 master; 2 10.0.0.2:6001 master');
    const none = await failure(v35(bean([instance('2', '10.0.0.2', 'slave')])), { ...image, expectedMembers: 1 });
    expect(none.message).toMatch(/found 0: none$/);
  });

  test('a bean it cannot read is a gate failure', async () => {
    const err = await failure(v35([{ attributes: { InstancesInCluster: { value: [null] } } }]), image);
    expect(err).toBeInstanceOf(HealthGateError);
    expect(err.message).toBe(
      'expected reading the cluster topology to succeed at bolt://neo4j.internal:7687; found Error: the High Availability JMX bean lists an instance without properties: null');
  });

  test('no HA bean and no overview: SINGLE mode, standalone', async () => {
    const out = await logic(deps(v35([])), input({ ...image, expectedMembers: 1 }));
    expect(out).toMatchObject({ topology: 'standalone', leaders: 1, members: 1, leaderAddress: '10.0.0.1:7687' });
  });

  test('3.5 causal cluster: overview rows carry `role`', async () => {
    const rows = [
      { id: 'a', addresses: ['bolt://10.0.0.1:7687'], role: 'LEADER', groups: [], database: 'default' },
      { id: 'b', addresses: ['bolt://10.0.0.2:7687'], role: 'FOLLOWER', groups: [], database: 'default' },
    ];
    const out = await logic(deps(v35([], rows)), input({ ...image, expectedMembers: 2 }));
    expect(out).toMatchObject({ topology: 'causal', leaders: 1, members: 2, leaderAddress: '10.0.0.1:7687' });
  });
});

describe('address helpers', () => {
  test.each([
    ['bolt://10.0.0.1:7687', '10.0.0.1:7687'],
    ['ha://10.0.0.1:6001?serverId=1', '10.0.0.1:6001'],
    ['neo4j+s://db.example.com:7687/', 'db.example.com:7687'],
  ])('hostPortOf(%s) = %s', (uri, expected) => expect(hostPortOf(uri)).toBe(expected));

  test.each([
    ['10.0.0.1:7687', '10.0.0.1'],
    ['[fd00::1]:7687', 'fd00::1'],
    ['db.example.com', 'db.example.com'],
  ])('hostOf(%s) = %s', (address, expected) => expect(hostOf(address)).toBe(expected));
});
