import { RelationshipThread } from '../../validator/relationship-thread';

describe('relationship pass thread started ahead of its pass', () => {
  test('a thread that will not run is terminated by discard, and cannot run after it', async () => {
    const thread = RelationshipThread.start({ uri: 'bolt://127.0.0.1:1', credentials: { username: 'neo4j', password: 'unused' } });
    await thread.discard();
    expect(() => thread.run({ keys: {}, fetchSize: 10, relationshipStreams: 1 })).toThrow(/runs one pass/);
    await thread.discard(); // harmless twice
  });

  test('a pass on a server it cannot reach rejects with the driver error, from the thread', async () => {
    const thread = RelationshipThread.start({ uri: 'bolt://127.0.0.1:1', credentials: { username: 'neo4j', password: 'unused' } });
    await expect(thread.run({ keys: {}, fetchSize: 10, relationshipStreams: 1 })).rejects.toThrow(/connect|ECONNREFUSED/i);
    await thread.discard();
  });
});
