import { ClusterState, ServerLayout } from '../../tools/rehearsal/rolling/cluster-state';
import { changedServers, effectiveImage, serverImageParameter } from '../../tools/rehearsal/rolling/rolling-world';
import { maxDownAtOnce } from '../../tools/rehearsal/rolling/server-set';

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
  });
});
