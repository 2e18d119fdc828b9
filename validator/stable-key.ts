import { encodeLabels, encodeMap, encodeValue } from './canonical';
import { quoteName } from './cypher';

/**
 * Which properties identify a node, per label: `{ Person: 'id', OrderLine: ['orderId', 'line'] }`.
 *
 * The stable key of a node is what identifies it in both databases (internal ids and element ids are
 * NOT stable across an export/import or a store migration):
 * - keyed: the first of its labels, in sorted order, that has a configured key and whose key properties
 *   are all present on the node, with the values of those properties: `K` + label + values;
 * - otherwise its whole content: `C` + the 128-bit hash of its sorted labels and full property map.
 *
 * A relationship has no key of its own: it is identified by its type, the stable keys of its start and
 * end nodes, and its property map. With unkeyed end nodes, a change to an end node's properties also
 * changes the checksum of its relationships; configure keys to keep a difference where it belongs.
 */
export type KeyConfig = Readonly<Record<string, string | readonly string[]>>;

/** Label -> key properties, labels sorted; the form stored in snapshots. */
export type NormalizedKeys = Readonly<Record<string, readonly string[]>>;

export function normalizeKeys(keys: KeyConfig | undefined): NormalizedKeys {
  const out: Record<string, string[]> = {};
  for (const label of Object.keys(keys ?? {}).sort()) {
    const raw = (keys as KeyConfig)[label];
    const props = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? [...raw] : undefined;
    if (label === '' || !props || props.length === 0 || props.some((p) => typeof p !== 'string' || p === '')) {
      throw new Error(`keys.${label || '""'}: expected a property name or a non-empty list of them, got ${JSON.stringify(raw)}`);
    }
    out[label] = props;
  }
  return out;
}

/** Parses `Person=id` / `OrderLine=orderId,line` (the CLI's --key). */
export function parseKeyOption(specs: readonly string[]): NormalizedKeys {
  const keys: Record<string, string[]> = {};
  for (const spec of specs) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new Error(`--key ${JSON.stringify(spec)}: expected Label=property[,property...]`);
    keys[m[1]] = m[2].split(',').map((s) => s.trim());
  }
  return normalizeKeys(keys);
}

export interface NodeKey {
  readonly label: string;
  readonly properties: readonly string[];
  readonly values: readonly unknown[];
}

/** The configured key of a node with these sorted labels and properties, or null if it has none. */
export function nodeKeyOf(sortedLabels: readonly string[], props: Record<string, unknown>, keys: NormalizedKeys): NodeKey | null {
  for (const label of sortedLabels) {
    const names = keys[label];
    if (!names) continue;
    let complete = true;
    for (const n of names) {
      if (props[n] === null || props[n] === undefined) {
        complete = false;
        break;
      }
    }
    if (complete) return { label, properties: names, values: names.map((n) => props[n]) };
  }
  return null;
}

/** Encoded stable key of a keyed node: `K` + label + list of key values. */
export function encodeKeyedNode(label: string, values: readonly unknown[]): string {
  return 'K' + encodeValue(label) + encodeValue(values);
}

/** Canonical content of a node: `N` + sorted labels + property map. */
export function encodeNodeContent(sortedLabels: readonly string[], props: Record<string, unknown>, exclude?: string): string {
  return 'N' + encodeLabels(sortedLabels) + encodeMap(props, exclude);
}

/** Encoded stable key of an unkeyed node, from the 32-hex hash of its content. */
export function encodeContentKey(contentHashHex: string): string {
  return 'C' + contentHashHex;
}

/** Canonical content of a relationship, from the already encoded stable keys of its ends. */
export function encodeRelationshipContent(type: string, startKey: string, endKey: string, props: Record<string, unknown>): string {
  return 'R' + encodeValue(type) + startKey + '>' + endKey + encodeMap(props);
}

/**
 * A Cypher expression computing, server-side, the key of the node bound to `variable` as
 * `[labelIndex, [values...]]` (labelIndex into `keyLabels(keys)`), or null when it has none. Only the
 * key travels over Bolt, not the end node's properties.
 */
export function keyExpression(variable: string, keys: NormalizedKeys): string {
  const labels = keyLabels(keys);
  if (labels.length === 0) return 'null';
  const v = quoteName(variable);
  const whens = labels.map((label, i) => {
    const props = keys[label];
    const present = props.map((p) => `${v}.${quoteName(p)} IS NOT NULL`).join(' AND ');
    const values = props.map((p) => `${v}.${quoteName(p)}`).join(', ');
    return `WHEN ${v}:${quoteName(label)} AND ${present} THEN [${i}, [${values}]]`;
  });
  return `CASE ${whens.join(' ')} ELSE null END`;
}

/** Keyed labels in the order `keyExpression` indexes them (sorted: the same rule as `nodeKeyOf`). */
export function keyLabels(keys: NormalizedKeys): string[] {
  return Object.keys(keys).sort();
}
