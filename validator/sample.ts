import type { Driver, Integer } from 'neo4j-driver';
import neo4j, { isInt } from 'neo4j-driver';
import { digestHex } from './checksum';
import { compareCodeUnits } from './canonical';
import { groupBy } from './collections';
import { labelCombinationKey, quoteName } from './cypher';
import type { Difference } from './report';
import type { NodeSample, RelationshipSample, TypedJson } from './snapshot';
import type { NormalizedKeys } from './stable-key';
import {
  encodeKeyedNode,
  encodeNodeContent,
  encodeRelationshipContent,
  keyExpression,
  keyLabels,
  nodeKeyOf,
} from './stable-key';

/**
 * Quick mode: a random sample of keyed nodes per keyed label and of relationships (with keyed ends) per
 * type, each with its 128-bit hash. The sample is drawn on the expected side and looked up by stable
 * key on the found side (an index seek when the key has an index or constraint), so a quick pass costs
 * O(sample), not O(graph). It finds a changed entity only if the sample happens to contain it.
 */
export async function captureSamples(
  driver: Driver,
  opts: { database?: string; keys: NormalizedKeys; sampleSize: number; types: readonly string[] },
): Promise<{ nodes: NodeSample[]; relationships: RelationshipSample[] }> {
  const nodes: NodeSample[] = [];
  const relationships: RelationshipSample[] = [];
  if (opts.sampleSize <= 0 || keyLabels(opts.keys).length === 0) return { nodes, relationships };
  const session = driver.session({ database: opts.database, defaultAccessMode: 'READ' });
  try {
    const seen = new Set<string>();
    for (const label of keyLabels(opts.keys)) {
      const present = opts.keys[label].map((p) => `n.${quoteName(p)} IS NOT NULL`).join(' AND ');
      const res = await session.run(
        `MATCH (n:${quoteName(label)}) WHERE ${present} WITH n ORDER BY rand() LIMIT $s RETURN labels(n) AS l, properties(n) AS p`,
        { s: neo4j.int(opts.sampleSize) },
      );
      for (const rec of res.records) {
        const labels = [...(rec.get('l') as string[])].sort(compareCodeUnits);
        const props = rec.get('p') as Record<string, unknown>;
        const key = nodeKeyOf(labels, props, opts.keys);
        const values = key?.values.map(toTypedJson);
        if (!key || !values || values.some((v) => v === undefined)) continue;
        const encodedKey = encodeKeyedNode(key.label, key.values);
        if (seen.has(encodedKey)) continue;
        seen.add(encodedKey);
        nodes.push({
          label: key.label,
          properties: key.properties,
          values: values as TypedJson[],
          group: labelCombinationKey(labels),
          hash: digestHex(encodeNodeContent(labels, props)),
        });
      }
    }
    const byIndex = keyLabels(opts.keys);
    for (const type of opts.types) {
      const res = await session.run(
        `MATCH (a)-[r:${quoteName(type)}]->(b) WITH r, ${keyExpression('a', opts.keys)} AS ak, ${keyExpression('b', opts.keys)} AS bk ` +
          'WHERE ak IS NOT NULL AND bk IS NOT NULL WITH r, ak, bk ORDER BY rand() LIMIT $s RETURN ak, bk, properties(r) AS p',
        { s: neo4j.int(opts.sampleSize) },
      );
      for (const rec of res.records) {
        const [ak, bk] = [rec.get('ak') as [Integer, unknown[]], rec.get('bk') as [Integer, unknown[]]];
        const start = endpoint(byIndex[ak[0].toNumber()], opts.keys, ak[1]);
        const end = endpoint(byIndex[bk[0].toNumber()], opts.keys, bk[1]);
        if (!start || !end) continue;
        const content = encodeRelationshipContent(type, encodeKeyedNode(start.label, ak[1]), encodeKeyedNode(end.label, bk[1]), rec.get('p'));
        relationships.push({ type, start, end, hash: digestHex(content) });
      }
    }
  } finally {
    await session.close();
  }
  return { nodes, relationships };
}

function endpoint(label: string, keys: NormalizedKeys, values: unknown[]): RelationshipSample['start'] | undefined {
  const typed = values.map(toTypedJson);
  if (typed.some((v) => v === undefined)) return undefined;
  return { label, properties: keys[label], values: typed as TypedJson[] };
}

/** Looks the samples up by stable key in `driver`'s database and reports each that is missing or differs. */
export async function verifySamples(
  driver: Driver,
  samples: { nodes: readonly NodeSample[]; relationships: readonly RelationshipSample[] },
  database?: string,
): Promise<Difference[]> {
  const differences: Difference[] = [];
  const session = driver.session({ database, defaultAccessMode: 'READ' });
  try {
    for (const group of groupBy(samples.nodes, (s) => JSON.stringify([s.label, s.properties]))) {
      const { label, properties } = group[0];
      const match = properties.map((p, i) => `n.${quoteName(p)} = row.v[${i}]`).join(' AND ');
      const res = await session.run(
        `UNWIND $rows AS row MATCH (n:${quoteName(label)}) WHERE ${match} RETURN row.i AS i, labels(n) AS l, properties(n) AS p`,
        { rows: group.map((s, i) => ({ i: neo4j.int(i), v: s.values.map(fromTypedJson) })) },
      );
      const found = new Map<number, string[]>();
      for (const rec of res.records) {
        const labels = [...(rec.get('l') as string[])].sort(compareCodeUnits);
        const i = (rec.get('i') as Integer).toNumber();
        found.set(i, [...(found.get(i) ?? []), digestHex(encodeNodeContent(labels, rec.get('p')))]);
      }
      group.forEach((s, i) => {
        const hashes = found.get(i) ?? [];
        const where = describeKey(s.label, s.properties, s.values);
        if (hashes.length === 0) differences.push({ what: 'sampled-node-missing', where, expected: s.hash, found: null });
        else if (hashes.length > 1) differences.push({ what: 'sampled-node-duplicated', where, expected: 1, found: hashes.length });
        else if (hashes[0] !== s.hash) differences.push({ what: 'sampled-node-changed', where, expected: s.hash, found: hashes[0] });
      });
    }
    const relKey = (s: RelationshipSample) => JSON.stringify([s.type, s.start.label, s.start.properties, s.end.label, s.end.properties]);
    for (const group of groupBy(samples.relationships, relKey)) {
      const { type, start, end } = group[0];
      const match = [
        ...start.properties.map((p, i) => `a.${quoteName(p)} = row.a[${i}]`),
        ...end.properties.map((p, i) => `b.${quoteName(p)} = row.b[${i}]`),
      ].join(' AND ');
      const res = await session.run(
        `UNWIND $rows AS row MATCH (a:${quoteName(start.label)})-[r:${quoteName(type)}]->(b:${quoteName(end.label)}) WHERE ${match} ` +
          'RETURN row.i AS i, properties(r) AS p',
        { rows: group.map((s, i) => ({ i: neo4j.int(i), a: s.start.values.map(fromTypedJson), b: s.end.values.map(fromTypedJson) })) },
      );
      const found = new Map<number, Set<string>>();
      for (const rec of res.records) {
        const i = (rec.get('i') as Integer).toNumber();
        const s = group[i];
        const content = encodeRelationshipContent(
          type,
          encodeKeyedNode(s.start.label, s.start.values.map(fromTypedJson)),
          encodeKeyedNode(s.end.label, s.end.values.map(fromTypedJson)),
          rec.get('p'),
        );
        if (!found.has(i)) found.set(i, new Set());
        found.get(i)!.add(digestHex(content));
      }
      group.forEach((s, i) => {
        const hashes = found.get(i);
        const where = `${describeKey(s.start.label, s.start.properties, s.start.values)}-[:${type}]->${describeKey(s.end.label, s.end.properties, s.end.values)}`;
        if (!hashes) differences.push({ what: 'sampled-relationship-missing', where, expected: s.hash, found: null });
        else if (!hashes.has(s.hash)) differences.push({ what: 'sampled-relationship-changed', where, expected: s.hash, found: [...hashes].join(',') });
      });
    }
  } finally {
    await session.close();
  }
  return differences;
}

/** A key value in typed JSON, or undefined for types a sample key cannot hold (temporal, spatial, lists). */
export function toTypedJson(v: unknown): TypedJson | undefined {
  if (typeof v === 'string') return { s: v };
  if (typeof v === 'boolean') return { b: v };
  if (typeof v === 'number') return Number.isFinite(v) ? { f: v } : undefined;
  if (typeof v === 'bigint') return { i: v.toString() };
  if (isInt(v)) return { i: v.toString() };
  return undefined;
}

export function fromTypedJson(v: TypedJson): unknown {
  if ('s' in v) return v.s;
  if ('b' in v) return v.b;
  if ('f' in v) return v.f;
  if ('i' in v) return neo4j.int(v.i);
  throw new Error(`not a typed JSON value: ${JSON.stringify(v)}`);
}

function describeKey(label: string, properties: readonly string[], values: readonly TypedJson[]): string {
  const pairs = properties.map((p, i) => {
    const v = values[i];
    return `${p}: ${'s' in v ? JSON.stringify(v.s) : 'i' in v ? v.i : 'f' in v ? String(v.f) : String((v as { b: boolean }).b)}`;
  });
  return `(:${label} {${pairs.join(', ')}})`;
}
