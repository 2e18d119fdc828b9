import neo4j, { Date as NeoDate, DateTime, Duration, LocalDateTime, LocalTime, Point, Time } from 'neo4j-driver';
import { CanonicalWriter, daysFromCivil, encodeLabels, encodeMap, encodeValue, sortLabels } from '../../validator/canonical';
import { labelCombinationKey, parseLabelCombinationKey, quoteName } from '../../validator/cypher';

describe('canonical encoding', () => {
  test('type tags keep integers, floats, strings and booleans apart', () => {
    const encodings = [neo4j.int(1), 1, 1.5, '1', true, null, [1], [neo4j.int(1)], ['1']].map(encodeValue);
    expect(new Set(encodings).size).toBe(encodings.length);
    expect(encodeValue(neo4j.int(1))).toBe('i1;');
    expect(encodeValue(1)).toBe('f1;');
    expect(encodeValue(BigInt(1))).toBe('i1;');
  });

  test('integers beyond 2^53 are exact', () => {
    const big = neo4j.int('9007199254740993'); // 2^53 + 1, not representable as a double
    expect(encodeValue(big)).toBe('i9007199254740993;');
    expect(encodeValue(neo4j.int('-9223372036854775808'))).toBe('i-9223372036854775808;');
    expect(encodeValue(big)).not.toBe(encodeValue(neo4j.int('9007199254740992')));
  });

  test('floats: shortest round-trip form, -0, NaN and infinities spelled out', () => {
    expect(encodeValue(0.1)).toBe('f0.1;');
    expect(encodeValue(-0)).toBe('f-0;');
    expect(encodeValue(0)).toBe('f0;');
    expect(encodeValue(NaN)).toBe('fNaN;');
    expect(encodeValue(-Infinity)).toBe('f-Infinity;');
    expect(encodeValue(1e300)).toBe('f1e+300;');
  });

  test('strings are length-prefixed, so no concatenation is ambiguous', () => {
    expect(encodeValue('ab')).toBe('s2:ab');
    expect(encodeValue(['a', 'b'])).not.toBe(encodeValue(['ab']));
    expect(encodeMap({ a: 'bc' })).not.toBe(encodeMap({ ab: 'c' }));
    expect(encodeValue('😀')).toBe('s2:😀'); // UTF-16 code units
    const large = 'x'.repeat(1_000_000);
    expect(encodeValue(large).length).toBe(1_000_000 + 's1000000:'.length);
  });

  test('byte arrays are hex with their length', () => {
    expect(encodeValue(new Int8Array([0, 1, -1, 127, -128]))).toBe('x5:0001ff7f80');
    expect(encodeValue(new Int8Array([]))).toBe('x0:');
    expect(encodeValue(new Int8Array([1]))).not.toBe(encodeValue([neo4j.int(1)]));
  });

  test('property maps are order-independent', () => {
    expect(encodeMap({ b: neo4j.int(2), a: 'x' })).toBe(encodeMap({ a: 'x', b: neo4j.int(2) }));
    expect(encodeMap({ a: 'x', b: neo4j.int(2) })).toBe('m2{s1:as1:xs1:bi2;}');
    expect(encodeMap({ a: 1, __id: 2 }, '__id')).toBe(encodeMap({ a: 1 }));
  });

  test('labels sort by code units, not locale', () => {
    expect(sortLabels(['b', 'B', 'a', 'Ä'])).toEqual(['B', 'a', 'b', 'Ä']);
    expect(encodeLabels(['A', 'B'])).toBe('l2[s1:As1:B]');
  });

  test('temporal values', () => {
    expect(encodeValue(new NeoDate(2024, 2, 29))).toBe('D2024,2,29;');
    expect(encodeValue(new LocalTime(12, 30, 15, 123456789))).toBe('t12,30,15,123456789;');
    expect(encodeValue(new Time(12, 30, 15, 1, 3600))).toBe('Q12,30,15,1,3600;');
    expect(encodeValue(new LocalDateTime(2024, 1, 2, 3, 4, 5, 6))).toBe('L2024,1,2,3,4,5,6;');
    expect(encodeValue(new DateTime(2024, 1, 2, 3, 4, 5, 6, -18000))).toBe('O2024,1,2,3,4,5,6,-18000;');
    expect(encodeValue(new Duration(14, 3, 7200, 5))).toBe('U14,3,7200,5;');
    // Integer fields (as the driver returns them) encode like numbers
    expect(encodeValue(new NeoDate(neo4j.int(2024), neo4j.int(2), neo4j.int(29)))).toBe('D2024,2,29;');
  });

  test('a DateTime with a zone id encodes the instant and the zone, not local fields', () => {
    // 2024-03-31T03:30+02:00[Europe/Berlin] is 01:30 UTC
    const berlin = new DateTime(2024, 3, 31, 3, 30, 0, 0, 7200, 'Europe/Berlin');
    const epoch = daysFromCivil(2024, 3, 31) * 86400 + 3600 + 1800;
    expect(encodeValue(berlin)).toBe(`Z${epoch},0,s13:Europe/Berlin;`);
    // the same local time with another offset is another instant
    const other = new DateTime(2024, 3, 31, 3, 30, 0, 0, 3600, 'Europe/Berlin');
    expect(encodeValue(other)).not.toBe(encodeValue(berlin));
    // an offset-only DateTime at the same instant is a different value (Neo4j keeps the zone)
    const offset = new DateTime(2024, 3, 31, 3, 30, 0, 0, 7200);
    expect(encodeValue(offset)).not.toBe(encodeValue(berlin));
    // legacy servers send no offset with a zone id
    const legacy = new DateTime(2024, 3, 31, 3, 30, 0, 0, undefined, 'Europe/Berlin');
    expect(encodeValue(legacy)).toBe('Y2024,3,31,3,30,0,0,s13:Europe/Berlin;');
  });

  test('daysFromCivil matches the JavaScript calendar, BCE included', () => {
    for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [1600, 12, 31], [-44, 3, 15], [9999, 12, 31]]) {
      const js = new globalThis.Date(0);
      js.setUTCFullYear(y, m - 1, d);
      js.setUTCHours(0, 0, 0, 0);
      expect(daysFromCivil(y, m, d)).toBe(js.getTime() / 86400000);
    }
  });

  test('points 2D and 3D, cartesian and WGS-84', () => {
    expect(encodeValue(new Point(7203, 1, 2))).toBe('P7203,1,2;');
    expect(encodeValue(new Point(9157, 1, 2, 3))).toBe('P9157,1,2,3;');
    expect(encodeValue(new Point(neo4j.int(4326), 12.5, 55.1))).toBe('P4326,12.5,55.1;');
    expect(encodeValue(new Point(4979, 12.5, 55.1, -3))).toBe('P4979,12.5,55.1,-3;');
  });

  test('vectors', () => {
    expect(encodeValue(neo4j.vector(new Float32Array([0.5, 1])))).toBe('VFLOAT32,2[0.5,1,]');
    expect(encodeValue(neo4j.vector(new Int8Array([1, -2])))).toBe('VINT8,2[1,-2,]');
  });

  test('what is not a property value is refused by name', () => {
    expect(() => encodeValue(new Map())).toThrow(/Map/);
    expect(() => encodeValue(() => 1)).toThrow(/function/);
  });
});

describe('label combination keys', () => {
  test('round-trip, with backticks only where needed', () => {
    for (const labels of [[], ['Person'], ['Employee', 'Person'], ['a:b', 'with space', 'back`tick']]) {
      const key = labelCombinationKey(labels);
      expect(parseLabelCombinationKey(key)).toEqual(labels);
    }
    expect(labelCombinationKey(['Employee', 'Person'])).toBe(':Employee:Person');
    expect(labelCombinationKey(['a:b'])).toBe(':`a:b`');
    expect(quoteName('x`y')).toBe('`x``y`');
  });
});

describe('integer fast path', () => {
  test('agrees with Integer.toString around the 2^53 boundary and for negatives', () => {
    for (const s of ['0', '-1', '4294967295', '4294967296', '-4294967296', '9007199254740991', '-9007199254740991', '9007199254740992', '-9007199254740993', '9223372036854775807', '-9223372036854775808']) {
      expect(encodeValue(neo4j.int(s))).toBe(`i${s};`);
    }
    for (let i = 0; i < 2000; i++) {
      const v = neo4j.int(Math.floor((Math.random() - 0.5) * 2 ** 31)).multiply(neo4j.int(Math.floor((Math.random() - 0.5) * 2 ** 26)));
      expect(encodeValue(v)).toBe(`i${v.toString()};`);
    }
  });
});

describe('digit writer and key-order cache (written bytes, not strings)', () => {
  test('integral floats and numeric fields are spelled as String(n), beyond 2^53 and in exponent form too', () => {
    for (const x of [0, 7, -7, 10, 99, 100, 4294967296, -4294967296, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 60, -(2 ** 60), 1e21, -1e21, 1e300]) {
      expect(encodeValue(x)).toBe(`f${String(x)};`);
      expect(encodeValue(new Point(7203, x, -x))).toBe(`P7203,${String(x)},${Object.is(-x, -0) ? '-0' : String(-x)};`);
    }
    expect(encodeValue(new Duration(neo4j.int('9223372036854775807'), neo4j.int(0), neo4j.int(0), neo4j.int(0)))).toBe('U9223372036854775807,0,0,0;');
  });

  test('an instant beyond 2^53 seconds keeps the old String spelling', () => {
    const far = new DateTime<number>(999999999, 12, 31, 23, 59, 59, 0, 0, 'UTC');
    const epoch = daysFromCivil(999999999, 12, 31) * 86400 + 86399;
    expect(epoch).toBeGreaterThan(2 ** 53);
    expect(encodeValue(far)).toBe(`Z${String(epoch)},0,s3:UTC;`);
  });

  test('maps of many key sets, in any key order, encode as with the keys sorted', () => {
    const w = new CanonicalWriter(16);
    // more key sets than the cache holds, each seen in two orders, interleaved
    for (let round = 0; round < 3; round++) {
      for (let set = 0; set < 40; set++) {
        const keys = Array.from({ length: 1 + (set % 5) }, (_, i) => `k${(set * 7 + i * 3) % 11}_${set}`);
        const forward = Object.fromEntries(keys.map((k, i) => [k, neo4j.int(i)]));
        const backward = Object.fromEntries([...keys].reverse().map((k) => [k, forward[k]]));
        const sorted = Object.fromEntries([...keys].sort().map((k) => [k, forward[k]]));
        const expected = 'm' + keys.length + '{' + [...keys].sort().map((k) => `s${k.length}:${k}i${keys.indexOf(k)};`).join('') + '}';
        for (const m of [forward, backward, sorted]) expect(w.reset().map(m).toString()).toBe(expected);
      }
    }
  });
});
