import type { Integer, Record as Neo4jRecord } from 'neo4j-driver';
import { digest } from './checksum';
import { CanonicalWriter, compareCodeUnits } from './canonical';
import { quoteName } from './cypher';
import type { NormalizedKeys } from './stable-key';
import { keyLabels } from './stable-key';

/**
 * The full pass's relationship query, and the writer of each row's end-node stable keys.
 *
 * The server computes each end's key once: every key property (the union over keyed labels) is read
 * once into a variable, and one column per end says which key applies: the index of the first keyed
 * label in sorted order whose key is complete (the rule of `nodeKeyOf`), or, when the end has no complete
 * key, its `[labels, properties]`; the key values come back as plain columns. The bytes written are those
 * of `encodeKeyedNode` / `encodeContentKey`.
 *
 * Why this shape (server CPU per relationship is the long pole of the full pass): a list per key
 * (`keyExpression`'s `[index, [values]]`) read each key property twice; a second projection computing
 * the index and a separate content column testing it again cost about a third of the query's server CPU
 * (one measurement, 400k relationships, Neo4j 5.26 with C2, loaded machine: 5.6 s instead of 8.3 s);
 * and the client decodes two columns fewer per row.
 *
 * Columns: 0 type, 1 properties, then for the start and the end node: the label index or
 * `[labels, properties]`, then one column per key property.
 */
export class RelationshipPassQuery {
  readonly cypher: string;
  private readonly labels: string[];
  /** Per label index: the positions of its key properties among the value columns of one end. */
  private readonly valuePositions: number[][];
  /** Per label index: the bytes a keyed end starts with (`K`, the label, the list's head), made once. */
  private readonly keyedPrefixes: Buffer[];
  private readonly width: number;

  /** `where` filters `r` (may be empty). */
  constructor(keys: NormalizedKeys, where: string) {
    this.labels = keyLabels(keys);
    const props = [...new Set(this.labels.flatMap((l) => keys[l]))].sort(compareCodeUnits);
    this.valuePositions = this.labels.map((l) => keys[l].map((p) => props.indexOf(p)));
    this.keyedPrefixes = this.labels.map((l, i) => keyedEndPrefix(l, this.valuePositions[i].length));
    this.width = props.length + 1;
    const ends = ['a', 'b'].map((v) => {
      const values = props.map((_, i) => `${v}${i}`);
      const complete = (label: string, i: number) => [`${v}:${quoteName(label)}`, ...this.valuePositions[i].map((j) => `${values[j]} IS NOT NULL`)].join(' AND ');
      const content = `[labels(${v}), properties(${v})]`;
      return {
        read: props.map((p, i) => `${v}.${quoteName(p)} AS ${values[i]}`),
        values,
        key: this.labels.length === 0 ? content : `CASE ${this.labels.map((l, i) => `WHEN ${complete(l, i)} THEN ${i}`).join(' ')} ELSE ${content} END`,
      };
    });
    const [a, b] = ends;
    this.cypher =
      `MATCH (a)-[r]->(b) ${where ? where + ' ' : ''}` +
      (props.length ? `WITH ${['r', 'a', 'b', ...a.read, ...b.read].join(', ')} ` : '') +
      `RETURN ${['type(r)', 'properties(r)', a.key, ...a.values, b.key, ...b.values].join(', ')}`;
  }

  /**
   * Appends the stable key of the row's start (`end` 0) or end node (1) to `w`. When `bucketed`, returns
   * the digest that decides its key-hash partition (`scratch` is overwritten), else null.
   */
  writeEndKey(rec: Neo4jRecord, end: 0 | 1, w: CanonicalWriter, scratch: CanonicalWriter, bucketed: boolean): Buffer | null {
    const first = 2 + end * this.width;
    const key = rec.get(first) as Integer | [string[], Record<string, unknown>];
    if (!Array.isArray(key)) {
      const index = key.toNumber();
      writeKeyedEnd(w, this.keyedPrefixes[index], this.valuePositions[index], rec, first + 1);
      return bucketed ? digest(writeKeyedEnd(scratch.reset(), this.keyedPrefixes[index], this.valuePositions[index], rec, first + 1).view()) : null;
    }
    const [labels, props] = key;
    if (labels.length > 1) labels.sort(compareCodeUnits);
    const d = digest(scratch.reset().ascii('N').labels(labels).map(props).view());
    w.ascii('C' + d.toString('hex', 0, 16));
    return d;
  }
}

/** The start of encodeKeyedNode(label, values) for `count` values: `K`, the label as a string, `l<count>[`. */
function keyedEndPrefix(label: string, count: number): Buffer {
  return new CanonicalWriter(64).ascii('K').string(label).ascii('l' + count + '[').view();
}

/** Bytes of encodeKeyedNode(label, values) for an end whose key values are columns of the row: the prefix, the values, `]`. */
function writeKeyedEnd(w: CanonicalWriter, prefix: Buffer, positions: readonly number[], rec: Neo4jRecord, firstValue: number): CanonicalWriter {
  w.bytes(prefix);
  for (const p of positions) w.value(rec.get(firstValue + p));
  return w.ascii(']');
}
