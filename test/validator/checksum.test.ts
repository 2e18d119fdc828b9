import * as crypto from 'node:crypto';
import { Sum128, addHex, bucketOf, digest, digestHex } from '../../validator/checksum';
import { CanonicalWriter } from '../../validator/canonical';
import neo4j, { Record as Neo4jRecord } from 'neo4j-driver';
import type { Driver } from 'neo4j-driver';
import { captureSnapshot } from '../../validator/capture';
import { RelationshipPassQuery } from '../../validator/relationship-pass-query';
import { encodeContentKey, encodeKeyedNode, encodeNodeContent, encodeRelationshipContent, keyExpression, nodeKeyOf, normalizeKeys, parseKeyOption } from '../../validator/stable-key';
import { allTypes } from './fixture-graph';

const MOD = BigInt(2) ** BigInt(128);

function bigOf(d: Buffer): bigint {
  return BigInt('0x' + d.toString('hex', 0, 16));
}

describe('Sum128', () => {
  test('is the sum mod 2^128 of the first 128 bits of SHA-256, checked against BigInt', () => {
    const items = Array.from({ length: 500 }, (_, i) => `entity-${i}`);
    const s = new Sum128();
    let expected = BigInt(0);
    for (const it of items) {
      s.addDigest(digest(it));
      expected = (expected + bigOf(crypto.createHash('sha256').update(it).digest())) % MOD;
    }
    expect(s.toHex()).toBe(expected.toString(16).padStart(32, '0'));
  });

  test('order-independent and splittable: any partition adds up to the same sum', () => {
    const items = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const whole = new Sum128();
    items.forEach((it) => whole.addDigest(digest(it)));
    const reversed = new Sum128();
    [...items].reverse().forEach((it) => reversed.addDigest(digest(it)));
    const parts = [new Sum128(), new Sum128(), new Sum128()];
    items.forEach((it, i) => parts[i % 3].addDigest(digest(it)));
    expect(reversed.toHex()).toBe(whole.toHex());
    expect(addHex(...parts.map((p) => p.toHex()))).toBe(whole.toHex());
  });

  test('counts multiplicity (unlike XOR, a duplicate does not cancel out)', () => {
    const once = new Sum128().addDigest(digest('a'));
    const twice = new Sum128().addDigest(digest('a')).addDigest(digest('a'));
    expect(twice.toHex()).not.toBe(once.toHex());
    expect(twice.toHex()).not.toBe(new Sum128().toHex());
  });

  test('wraps at 2^128 with carries through every limb', () => {
    const max = Sum128.fromHex('ffffffffffffffffffffffffffffffff');
    expect(max.add(Sum128.fromHex('00000000000000000000000000000001')).toHex()).toBe('0'.repeat(32));
    const carry = Sum128.fromHex('00000000ffffffffffffffffffffffff').add(Sum128.fromHex('00000000000000000000000000000001'));
    expect(carry.toHex()).toBe('00000001000000000000000000000000');
    expect(() => Sum128.fromHex('xyz')).toThrow(/128-bit hex/);
  });

  test('buckets are stable and spread over k partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[bucketOf(digest(`k${i}`), 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    expect(bucketOf(digest('same'), 7)).toBe(bucketOf(digest('same'), 7));
    expect(digestHex('a')).toHaveLength(32);
  });
});

describe('stable keys', () => {
  test('the first sorted label with a complete key wins', () => {
    const keys = normalizeKeys({ Person: 'id', Employee: ['company', 'badge'] });
    expect(nodeKeyOf(['Employee', 'Person'], { id: 1, company: 'a', badge: 7 }, keys)).toEqual({
      label: 'Employee',
      properties: ['company', 'badge'],
      values: ['a', 7],
    });
    // incomplete composite key: fall through to the next keyed label
    expect(nodeKeyOf(['Employee', 'Person'], { id: 1, company: 'a' }, keys)?.label).toBe('Person');
    expect(nodeKeyOf(['Movie'], { id: 1 }, keys)).toBeNull();
  });

  test('key options are validated and parsed', () => {
    expect(parseKeyOption(['Person=id', 'Line=order, line'])).toEqual({ Line: ['order', 'line'], Person: ['id'] });
    expect(() => parseKeyOption(['Person'])).toThrow(/Label=property/);
    expect(() => normalizeKeys({ Person: [] })).toThrow(/keys.Person/);
  });

  test('the server-side key expression follows the same label order and quotes names', () => {
    const expr = keyExpression('a', normalizeKeys({ 'We`ird': 'id', Alpha: ['x', 'y'] }));
    expect(expr).toBe(
      'CASE WHEN `a`:`Alpha` AND `a`.`x` IS NOT NULL AND `a`.`y` IS NOT NULL THEN [0, [`a`.`x`, `a`.`y`]] ' +
        'WHEN `a`:`We``ird` AND `a`.`id` IS NOT NULL THEN [1, [`a`.`id`]] ELSE null END',
    );
    expect(keyExpression('a', {})).toBe('null');
  });
});

describe('the relationship pass query', () => {
  const keys = normalizeKeys({ 'We`ird': 'id', Alpha: ['x', 'y'] });

  test('reads each key property once, gives one column per end (label index or content), and quotes names', () => {
    expect(new RelationshipPassQuery(keys, 'WHERE id(r) % 2 = 0').cypher).toBe(
      'MATCH (a)-[r]->(b) WHERE id(r) % 2 = 0 ' +
        'WITH r, a, b, a.`id` AS a0, a.`x` AS a1, a.`y` AS a2, b.`id` AS b0, b.`x` AS b1, b.`y` AS b2 ' +
        'RETURN type(r), properties(r), ' +
        'CASE WHEN a:`Alpha` AND a1 IS NOT NULL AND a2 IS NOT NULL THEN 0 WHEN a:`We``ird` AND a0 IS NOT NULL THEN 1 ELSE [labels(a), properties(a)] END, a0, a1, a2, ' +
        'CASE WHEN b:`Alpha` AND b1 IS NOT NULL AND b2 IS NOT NULL THEN 0 WHEN b:`We``ird` AND b0 IS NOT NULL THEN 1 ELSE [labels(b), properties(b)] END, b0, b1, b2',
    );
    expect(new RelationshipPassQuery({}, '').cypher).toBe('MATCH (a)-[r]->(b) RETURN type(r), properties(r), [labels(a), properties(a)], [labels(b), properties(b)]');
  });

  test('writes the bytes of encodeKeyedNode for a keyed end and of encodeContentKey for an unkeyed one', () => {
    const q = new RelationshipPassQuery(keys, '');
    const props = allTypes();
    // start: keyed by Alpha (x, y); end: no complete key, so its labels and properties came along
    const rec = new Neo4jRecord(
      ['t', 'p', 'ak', 'a0', 'a1', 'a2', 'bk', 'b0', 'b1', 'b2'],
      ['KNOWS', {}, neo4j.int(0), null, 'x1', props.bigInt, [['We`ird', 'Alpha'], props], null, null, null],
    );
    const [w, scratch] = [new CanonicalWriter(8), new CanonicalWriter(8)];
    const startDigest = q.writeEndKey(rec, 0, w, scratch, true);
    const startKey = encodeKeyedNode('Alpha', ['x1', props.bigInt]);
    expect(w.toString()).toBe(startKey);
    expect(startDigest?.toString('hex')).toBe(digest(startKey).toString('hex'));
    expect(q.writeEndKey(rec, 0, w.reset(), scratch, false)).toBeNull();
    w.reset();
    q.writeEndKey(rec, 1, w, scratch, false);
    expect(w.toString()).toBe(encodeContentKey(digestHex(encodeNodeContent(['Alpha', 'We`ird'], props))));
  });

  test('a keyed end with a non-ASCII label writes the bytes of encodeKeyedNode (its prefix is made once per label)', () => {
    const q = new RelationshipPassQuery(normalizeKeys({ 'Ünïcödé\ud83d\ude00': 'id' }), '');
    const rec = new Neo4jRecord(['t', 'p', 'ak', 'a0', 'bk', 'b0'], ['T', {}, neo4j.int(0), neo4j.int(42), neo4j.int(0), 'x']);
    const w = new CanonicalWriter(8);
    q.writeEndKey(rec, 0, w, new CanonicalWriter(8), false);
    q.writeEndKey(rec, 1, w, new CanonicalWriter(8), false);
    expect(w.toString()).toBe(encodeKeyedNode('Ünïcödé\ud83d\ude00', [neo4j.int(42)]) + encodeKeyedNode('Ünïcödé\ud83d\ude00', ['x']));
  });

  test('relationshipStreams is checked before anything is read', async () => {
    await expect(captureSnapshot({} as Driver, { relationshipStreams: 0 })).rejects.toThrow('relationshipStreams: expected an integer from 1 to 64, got 0');
  });
});

describe('the byte writer (hot path) and the string encoders hash alike', () => {
  test('for every property type, a node, a keyed node and a relationship', () => {
    const props: Record<string, unknown> = { ...allTypes(), lone: 'a\ud800b' };
    const labels = ['Employee', 'Person', 'Ünïcode'];
    const w = new CanonicalWriter(16); // grows
    expect(digestHex(w.reset().ascii('N').labels(labels).map(props).view())).toBe(digestHex(encodeNodeContent(labels, props)));
    expect(digestHex(w.reset().ascii('K').string('Person').value([props.bigInt, 'x']).view())).toBe(digestHex(encodeKeyedNode('Person', [props.bigInt, 'x'])));
    const start = encodeKeyedNode('Person', [props.int]);
    const rel = w.reset().ascii('R').string('KNÖWS').ascii(start).ascii('>C' + '0'.repeat(32)).map(props).view();
    expect(digestHex(rel)).toBe(digestHex(encodeRelationshipContent('KNÖWS', start, 'C' + '0'.repeat(32), props)));
  });
});
