import type { Driver, Record as Neo4jRecord } from 'neo4j-driver';
import neo4j from 'neo4j-driver';
import { bucketOf } from './checksum';
import { CanonicalWriter } from './canonical';
import { Groups } from './groups';
import { forEachRecord } from './record-stream';
import { RelationshipPassQuery } from './relationship-pass-query';
import { Sha256 } from './sha256';
import type { GroupDigest, PartitionSpec } from './snapshot';
import type { NormalizedKeys } from './stable-key';

/** What the relationship pass needs; plain data apart from the driver and the callback. */
export interface RelationshipPassOptions {
  readonly database?: string;
  readonly keys: NormalizedKeys;
  readonly partition?: PartitionSpec;
  readonly fetchSize: number;
  readonly relationshipStreams: number;
  /** Called with the number of relationships hashed so far, about every 10,000. */
  readonly onProgress?: (done: number) => void;
}

/** Streams every relationship once: hashes (type, end keys, properties) into its type's group. */
export async function hashRelationships(driver: Driver, o: RelationshipPassOptions): Promise<Record<string, GroupDigest>> {
  const groups = new Groups();
  const keyHash = o.partition?.strategy === 'key-hash' ? o.partition : undefined;
  const streams = o.relationshipStreams;
  const filters = [streams > 1 ? 'id(a) % $streamCount = $streamIndex' : '', o.partition?.strategy === 'internal-id' ? 'id(r) % $partitionCount = $partitionIndex' : ''].filter(Boolean);
  const query = new RelationshipPassQuery(o.keys, filters.length ? `WHERE ${filters.join(' AND ')}` : '');
  const w = new CanonicalWriter();
  const kw = new CanonicalWriter(1024);
  const sha = new Sha256();
  let done = 0;
  // records of all streams arrive on this one thread, one at a time: the writers and groups are shared
  const onRecord = (rec: Neo4jRecord): void => {
    if (++done % 10000 === 0) o.onProgress?.(done);
    const type = rec.get(0) as string;
    // bytes of encodeRelationshipContent(type, startKey, endKey, props)
    w.reset().ascii('R').string(type);
    const startDigest = query.writeEndKey(rec, 0, w, kw, keyHash !== undefined);
    if (keyHash && bucketOf(startDigest as Buffer, keyHash.count) !== keyHash.index) return;
    w.ascii('>');
    query.writeEndKey(rec, 1, w, kw, false);
    w.map(rec.get(1) as Record<string, unknown>);
    const g = groups.get(type, () => type);
    g.count++;
    g.sum.addPrefixWords(sha.hash(w.raw, w.length));
  };
  await Promise.all(
    Array.from({ length: streams }, async (_, streamIndex) => {
      const session = driver.session({ database: o.database, defaultAccessMode: 'READ', fetchSize: o.fetchSize });
      try {
        await forEachRecord(session, query.cypher, { ...partitionParams(o.partition), streamCount: neo4j.int(streams), streamIndex: neo4j.int(streamIndex) }, onRecord);
      } finally {
        await session.close();
      }
    }),
  );
  o.onProgress?.(done);
  return groups.digests(true);
}

/** Query parameters of an internal-id partition (none for key-hash or no partition). */
export function partitionParams(p: PartitionSpec | undefined): Record<string, unknown> {
  return p?.strategy === 'internal-id' ? { partitionCount: p.count, partitionIndex: p.index } : {};
}
