/** The compatibility check's row comparison: plain JSON rows, the first difference in words. */
import neo4j from 'neo4j-driver';
import { firstDifference, plainRows } from '../../lambda/compatibility-check/rows';

const record = (o: Record<string, unknown>) => ({ toObject: () => o });

test('driver values become the plain JSON the expected rows are written in', () => {
  expect(plainRows([record({
    n: neo4j.int(42), list: [neo4j.int(1), 'a'], map: { big: neo4j.int(7) }, none: null,
    date: new neo4j.types.Date(2026, 12, 1),
    node: new neo4j.types.Node(neo4j.int(1), ['Person'], { name: 'Ada', born: neo4j.int(1815) }, '4:x:1'),
  })])).toEqual([{ n: 42, list: [1, 'a'], map: { big: 7 }, none: null, date: '2026-12-01', node: { name: 'Ada', born: 1815 } }]);
});

test('equal rows, whatever the key order; otherwise the first differing row in words', () => {
  expect(firstDifference([{ a: 1, b: 2 }], [{ b: 2, a: 1 }])).toBeUndefined();
  expect(firstDifference([{ a: 1 }, { a: 2 }], [{ a: 1 }, { a: 3 }])).toBe('row 1: expected {"a":2}, got {"a":3}');
  expect(firstDifference([{ a: 1 }], [])).toBe('row 0 missing: expected {"a":1}');
  expect(firstDifference([], [{ a: 1 }])).toBe('row 0 unexpected: got {"a":1}');
});
