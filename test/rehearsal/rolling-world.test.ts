import { ClusterState, ServerLayout } from '../../tools/rehearsal/rolling/cluster-state';
import { changedServers, effectiveImage, serverImageParameter } from '../../tools/rehearsal/rolling/rolling-world';
import { exportedVariables } from '../../tools/rehearsal/nodes';
import { maxDownAtOnce } from '../../tools/rehearsal/rolling/server-set';
import { expectedOrder, RollingFigures, rollingProblems } from '../../tools/rehearsal/rolling/rolling-verdict';
import { NEO4J_LTS_OLDER_PATCH_VERSION, NEO4J_LTS_VERSION } from '../../tools/neo4j-embedded';
import { compareNeo4jVersions } from '../../tools/neo4j-embedded/versions';
import { Neo4jPlayer } from '../../tools/rehearsal/neo4j-player';

const layout: ServerLayout[] = [
  { index: 1, serviceName: 's1', role: 'primary' },
  { index: 2, serviceName: 's2', role: 'primary' },
  { index: 3, serviceName: 's3', role: 'primary' },
  { index: 4, serviceName: 's4', role: 'secondary' },
];

describe('the per-server world', () => {
  test('a server runs its own image parameter, or the cluster\'s when that is empty', () => {
    expect(serverImageParameter('DockerImage', 2)).toBe('Server2Image');
    expect(serverImageParameter('GraphDockerImage', 3)).toBe('GraphServer3Image');
    const p = { DockerImage: 'neo4j:5.26.30-enterprise', Server1Image: '', Server2Image: 'neo4j:2026.08.1-enterprise' };
    expect(effectiveImage(p, 'DockerImage', 1)).toBe('neo4j:5.26.30-enterprise');
    expect(effectiveImage(p, 'DockerImage', 2)).toBe('neo4j:2026.08.1-enterprise');
  });

  test('one server\'s parameter rolls that server only; the cluster\'s image rolls every server still following it', () => {
    const before = { DockerImage: 'a', Server1Image: '', Server2Image: '', Server3Image: '', Server4Image: '' };
    expect(changedServers(layout, 'DockerImage', before, { ...before, Server3Image: 'b' })).toEqual([{ index: 3, image: 'b' }]);
    expect(changedServers(layout, 'DockerImage', { ...before, Server3Image: 'b' }, { ...before, Server3Image: 'b', DockerImage: 'b' }))
      .toEqual([1, 2, 4].map((index) => ({ index, image: 'b' })));
    // Emptying a server's parameter once the cluster's image equals it changes nothing for that server.
    expect(changedServers(layout, 'DockerImage', { ...before, DockerImage: 'b', Server3Image: 'b' }, { ...before, DockerImage: 'b' })).toEqual([]);
  });

  test('the leader is the first primary until it goes down, then the lowest primary up, and keeps it when the old one returns', () => {
    const up = new Set([1, 2, 3, 4]);
    const state = new ClusterState(layout, (i) => up.has(i));
    expect(state.leader()).toBe(1);
    up.delete(1);
    expect(state.leader()).toBe(2);
    up.add(1);
    expect(state.leader()).toBe(2);
    expect(state.upServers()).toEqual([1, 2, 3, 4]);
    up.clear();
    up.add(4);
    expect(state.leader()).toBeUndefined(); // a secondary never leads
    expect(state.elections.map((e) => [e.from, e.to])).toEqual([[1, 2]]);
    expect(() => new ClusterState([{ index: 1, serviceName: 's', role: 'secondary' }], () => true)).toThrow(/no primary/);
  });

  test('servers down at once, from the outages', () => {
    expect(maxDownAtOnce([{ downAt: 0, upAt: 10 }, { downAt: 10, upAt: 20 }, { downAt: 25, upAt: 30 }])).toBe(1);
    expect(maxDownAtOnce([{ downAt: 0, upAt: 10 }, { downAt: 5, upAt: 20 }])).toBe(2);
    expect(maxDownAtOnce([{ downAt: 0 }, { downAt: 5, upAt: 6 }], 100)).toBe(2);
    // The same server replaced again while its restart is still in progress (a rollback right after its update): one down.
    expect(maxDownAtOnce([{ server: 2, downAt: 0, upAt: 20 }, { server: 2, downAt: 1, upAt: 30 }])).toBe(1);
    expect(maxDownAtOnce([{ server: 2, downAt: 0, upAt: 20 }, { server: 2, downAt: 1, upAt: 30 }, { server: 3, downAt: 25, upAt: 40 }])).toBe(2);
  });
});

describe('the rolling verdict', () => {
  const figures = (over: Partial<RollingFigures> = {}): RollingFigures => ({
    servers: [2, 3, 1].map((server) => ({ server, leaderAtStart: server === 1, downAtMs: server * 1000, downMs: 500, gatePassedAtMs: server * 1000 + 900, version: '2026.08.1', client: { failedAttempts: 0, retried: 0, lost: 0 } })),
    order: [2, 3, 1], expectedOrder: [2, 3, 1], maxDownAtOnce: 1, elections: ['1 -> 2'],
    client: { writes: { committed: 10, retried: 1, lost: 0 }, reads: { committed: 5, retried: 0, lost: 0 }, failedAttempts: { real: 1, derived: 0 }, acknowledgedMissing: 0 },
    worldErrors: [], ...over,
  });
  const execution = { status: 'SUCCEEDED' as const, volumes: { before: 3, after: 3, renamed: [], created: [], deleted: [] } };

  test('the leader rolls last, the others by number', () => {
    expect(expectedOrder([1, 2, 3], 1)).toEqual([2, 3, 1]);
    expect(expectedOrder([3, 1, 2], 2)).toEqual([1, 3, 2]);
  });

  test('a roll in the documented order, one server down at a time, nothing lost, passes', () => {
    expect(rollingProblems(figures(), execution, '2026.08.1')).toEqual([]);
  });

  test('each broken promise is named', () => {
    expect(rollingProblems(figures({ order: [1, 2, 3] }), execution, '2026.08.1')).toEqual(['servers rolled in the order 1, 2, 3, documented 2, 3, 1']);
    expect(rollingProblems(figures({ maxDownAtOnce: 2 }), execution, '2026.08.1')).toEqual(['2 servers down at the same moment']);
    const lost = figures({ client: { ...figures().client, writes: { committed: 9, retried: 1, lost: 1 }, acknowledgedMissing: 2 } });
    expect(rollingProblems(lost, execution, '2026.08.1')).toEqual(['client transactions lost after retries: 1, acknowledged writes missing: 2']);
    const deleted = { ...execution, volumes: { ...execution.volumes, deleted: [{ volumeId: 'vol-1' }] } } as unknown as typeof execution;
    expect(rollingProblems(figures(), deleted, '2026.08.1')).toEqual(['data volumes deleted: vol-1']);
    expect(rollingProblems(figures(), { ...execution, status: 'FAILED' as never, endState: 'Rolled back' }, '2026.08.1')[0]).toMatch(/^the execution FAILED at "Rolled back"/);
    const noGate = figures({ servers: [{ ...figures().servers[0], gatePassedAtMs: undefined, version: '5.26.30' }] });
    expect(rollingProblems({ ...noGate, order: [2], expectedOrder: [2] }, execution, '2026.08.1')).toEqual(['server 2 runs 5.26.30, not 2026.08.1', 'no cluster gate passed after server 2 came back']);
  });
});

test('the boot reads every quoted assignment of an export line (the per-server layout exports several on one)', () => {
  const userData = [
    "export NEO4J_CLAIM_VOLUME_NAME='neo4j-rolling-data'",
    'export NEO4J_SERVER_VOLUME_ID="$NEO4J_MOUNT_VOLUME_ID" NEO4J_SERVER_COUNT=\'3\' NEO4J_SERVER_TAG_KEY=\'neo4j-upgrades:server\'',
    "NOT_EXPORTED='x'",
  ].join('\n');
  expect(exportedVariables(userData)).toEqual({
    NEO4J_CLAIM_VOLUME_NAME: 'neo4j-rolling-data', NEO4J_SERVER_COUNT: '3', NEO4J_SERVER_TAG_KEY: 'neo4j-upgrades:server',
  });
});

test('the rolling pair is a patch roll within 5.26, each image played by its own real version', () => {
  expect(NEO4J_LTS_OLDER_PATCH_VERSION).toMatch(/^5\.26\.\d+$/);
  expect(compareNeo4jVersions(NEO4J_LTS_OLDER_PATCH_VERSION, NEO4J_LTS_VERSION)).toBeLessThan(0);
  for (const v of [NEO4J_LTS_OLDER_PATCH_VERSION, NEO4J_LTS_VERSION]) expect(Neo4jPlayer.versionFor(`neo4j:${v}-enterprise`)).toEqual({ version: v, exact: true });
  // Another older 5.x image is still played by the LTS (the other rehearsals' meaning).
  expect(Neo4jPlayer.versionFor('neo4j:5.20.0-enterprise')).toEqual({ version: NEO4J_LTS_VERSION, exact: false });
});
