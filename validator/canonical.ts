import type { Integer } from 'neo4j-driver';
import {
  isDate,
  isDateTime,
  isDuration,
  isInt,
  isLocalDateTime,
  isLocalTime,
  isPoint,
  isTime,
  isVector,
} from 'neo4j-driver';

/**
 * Canonical encoding of property values as the JavaScript driver returns them (default driver config:
 * integers as `neo4j.Integer`, floats as `number`). Two values encode to the same string exactly when
 * Neo4j would store the same value, whatever server version sent them, so the encoding can be hashed.
 *
 * Every value starts with a one-letter type tag and is self-delimiting (strings, byte arrays, lists and
 * maps carry their length), so a concatenation of encodings can be split again: no two different
 * property maps encode alike. Tags:
 *
 *   z null | T / F boolean | i<decimal>; integer | f<shortest round-trip>; float (-0, NaN, Infinity kept)
 *   s<len>:<chars> string (len in UTF-16 code units) | x<len>:<hex> byte array
 *   l<n>[...] list | m<n>{key value ...} map, keys sorted by UTF-16 code units
 *   D<y>,<m>,<d>; date | t<h>,<m>,<s>,<ns>; local time
 *   L<y>,<mo>,<d>,<h>,<mi>,<s>,<ns>; local datetime
 *   Q<h>,<m>,<s>,<ns>,<offset>; time with offset
 *   O<y>,<mo>,<d>,<h>,<mi>,<s>,<ns>,<offset>; datetime with offset
 *   Z<epochSecondUTC>,<ns>,s<len>:<zoneId> datetime with a zone id (the instant and the zone, which is
 *     what Neo4j stores, so the result does not depend on the time-zone rules of this process)
 *   Y<local datetime fields>,s<len>:<zoneId>; the same from a legacy Bolt server that sends no offset
 *   U<months>,<days>,<seconds>,<ns>; duration
 *   P<srid>,<x>,<y>[,<z>]; point (coordinates as floats)
 *   V<type>,<n>[...] vector (Neo4j 2025.x)
 */
export function encodeValue(value: unknown): string {
  return new CanonicalWriter(256).value(value).toString();
}

/** A property map: `m<n>{` then each key (as a string) and value, keys sorted, then `}`. */
export function encodeMap(map: Record<string, unknown>, exclude?: string): string {
  return new CanonicalWriter(256).map(map, exclude).toString();
}

/** Labels sorted by UTF-16 code units, as a list of strings. */
export function encodeLabels(sortedLabels: readonly string[]): string {
  return new CanonicalWriter(256).labels(sortedLabels).toString();
}

/**
 * Writes the canonical encoding as UTF-8 bytes into a reusable buffer: the bytes are exactly the UTF-8
 * of the string forms above (which are produced by this writer), without building intermediate strings
 * on the hot path. `reset()` between entities; `view()` is valid until the next write.
 */
export class CanonicalWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly keyOrders = new KeyOrderCache();

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written since the last reset (a view, not a copy). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The underlying buffer: its first `length` bytes are those written (no view allocated; valid until the next write). */
  get raw(): Buffer {
    return this.buf;
  }

  toString(): string {
    return this.buf.toString('utf8', 0, this.pos);
  }

  /** Characters below 0x80 only (tags, digits, punctuation, hex). */
  ascii(s: string): this {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
    return this;
  }

  /** Any string as UTF-8 (lone surrogates become U+FFFD, as when a string is hashed directly). */
  utf8(s: string): this {
    const n = s.length;
    this.ensure(n * 3);
    if (n < 64) {
      const buf = this.buf;
      const start = this.pos;
      let pos = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.pos = start + buf.write(s, start, 'utf8');
          return this;
        }
        buf[pos++] = c;
      }
      this.pos = pos;
      return this;
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  /** `s<len>:<chars>` */
  string(s: string): this {
    this.byte(0x73); // s
    this.integer(s.length);
    this.byte(0x3a); // :
    return this.utf8(s);
  }

  /** One byte below 0x80. */
  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /**
   * An integral number as `String(n)` spells it; within +/-2^53 the digits are written straight into the
   * buffer: no string per value on the hot path.
   */
  private integer(n: number): void {
    if (!(n >= -MAX_EXACT && n <= MAX_EXACT)) {
      this.ascii(String(n));
      return;
    }
    this.ensure(18);
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d; // -
      n = -n;
    }
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    let i = this.pos + digits;
    this.pos = i;
    do {
      const r = n % 10;
      buf[--i] = 0x30 + r;
      n = (n - r) / 10; // exact: n - r is a multiple of 10 below 2^53
    } while (n > 0);
  }

  /** A neo4j Integer in decimal: the digit writer within +/-2^53, else Integer.toString. */
  private int(v: Integer): void {
    const high = v.high;
    if (high >= -0x200000 && high < 0x200000) this.integer(high * 0x1_0000_0000 + (v.low >>> 0));
    else this.ascii(v.toString());
  }

  /** A float's shortest round-trip form (integral values through the digit writer: the same digits). */
  private float(x: number): void {
    if (Number.isInteger(x) && !Object.is(x, -0)) this.integer(x);
    else this.ascii(encodeFloat(x));
  }

  /** A temporal or point field, a neo4j Integer or a number, spelled as `num` spells it. */
  private field(v: unknown): void {
    if (isInt(v)) this.int(v);
    else if (typeof v === 'number' && Number.isInteger(v)) this.integer(v);
    else this.ascii(String(v));
  }

  /** `field` of each value, separated by commas. */
  private fieldList(values: readonly unknown[]): void {
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(0x2c); // ,
      this.field(values[i]);
    }
  }

  /** `fieldList`, then `;`. */
  private fields(...values: unknown[]): this {
    this.fieldList(values);
    this.byte(0x3b); // ;
    return this;
  }

  value(value: unknown): this {
    if (value === null || value === undefined) return this.ascii('z');
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        this.byte(0x66); // f
        this.float(value);
        this.byte(0x3b); // ;
        return this;
      case 'boolean':
        return this.ascii(value ? 'T' : 'F');
      case 'bigint':
        return this.ascii('i' + value.toString() + ';');
      default:
        break;
    }
    if (isInt(value)) {
      this.byte(0x69); // i
      this.int(value);
      this.byte(0x3b); // ;
      return this;
    }
    if (Array.isArray(value)) {
      this.byte(0x6c); // l
      this.integer(value.length);
      this.byte(0x5b); // [
      for (const item of value) this.value(item);
      return this.ascii(']');
    }
    if (value instanceof Int8Array || value instanceof Uint8Array) {
      return this.ascii('x' + value.byteLength + ':' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex'));
    }
    if (isDateTime(value)) {
      const v = value as unknown as DateTimeLike;
      if (v.timeZoneId !== null && v.timeZoneId !== undefined) {
        if (v.timeZoneOffsetSeconds === null || v.timeZoneOffsetSeconds === undefined) {
          // Legacy Bolt (< 5.0 without the UTC patch) gives local fields and a zone id only.
          this.byte(0x59); // Y
          this.fieldList(localDateTimeFields(v));
          this.byte(0x2c); // ,
          return this.string(String(v.timeZoneId)).ascii(';');
        }
        this.byte(0x5a); // Z
        this.integer(epochSecondsOfLocal(v) - toNum(v.timeZoneOffsetSeconds));
        this.byte(0x2c); // ,
        this.field(v.nanosecond);
        this.byte(0x2c); // ,
        return this.string(String(v.timeZoneId)).ascii(';');
      }
      this.byte(0x4f); // O
      return this.fields(...localDateTimeFields(v), v.timeZoneOffsetSeconds);
    }
    if (isLocalDateTime(value)) {
      this.byte(0x4c); // L
      return this.fields(...localDateTimeFields(value as unknown as DateTimeLike));
    }
    if (isDate(value)) {
      const v = value as unknown as DateTimeLike;
      this.byte(0x44); // D
      return this.fields(v.year, v.month, v.day);
    }
    if (isTime(value)) {
      const v = value as unknown as DateTimeLike;
      this.byte(0x51); // Q
      return this.fields(...timeFields(v), v.timeZoneOffsetSeconds);
    }
    if (isLocalTime(value)) {
      this.byte(0x74); // t
      return this.fields(...timeFields(value as unknown as DateTimeLike));
    }
    if (isDuration(value)) {
      const v = value as unknown as { months: unknown; days: unknown; seconds: unknown; nanoseconds: unknown };
      this.byte(0x55); // U
      return this.fields(v.months, v.days, v.seconds, v.nanoseconds);
    }
    if (isPoint(value)) {
      const v = value as unknown as { srid: unknown; x: number; y: number; z?: number };
      this.byte(0x50); // P
      this.field(v.srid);
      for (const c of v.z !== undefined && v.z !== null ? [v.x, v.y, v.z] : [v.x, v.y]) {
        this.byte(0x2c); // ,
        this.float(c);
      }
      this.byte(0x3b); // ;
      return this;
    }
    if (isVector(value)) {
      const items = Array.from(value.asTypedArray() as ArrayLike<number | bigint>);
      const float = value.getType().startsWith('FLOAT');
      this.ascii('V' + value.getType() + ',' + items.length + '[');
      for (const item of items) this.ascii((float ? encodeFloat(Number(item)) : String(item)) + ',');
      return this.ascii(']');
    }
    if (isPlainObject(value)) return this.map(value);
    throw new TypeError(`cannot encode a value of type ${describeType(value)}: not a Neo4j property value`);
  }

  /** `m<n>{` then each key (as a string) and value, keys sorted by code units, then `}`. */
  map(map: Record<string, unknown>, exclude?: string): this {
    const keys = Object.keys(map);
    if (exclude !== undefined) {
      const i = keys.indexOf(exclude);
      if (i >= 0) keys.splice(i, 1);
    }
    const sorted = keys.length > 1 ? this.keyOrders.sorted(keys) : keys;
    this.byte(0x6d); // m
    this.integer(sorted.length);
    this.byte(0x7b); // {
    for (const k of sorted) this.string(k).value(map[k]);
    return this.ascii('}');
  }

  /** Sorted labels as a list of strings. */
  labels(sortedLabels: readonly string[]): this {
    this.byte(0x6c); // l
    this.integer(sortedLabels.length);
    this.byte(0x5b); // [
    for (const l of sortedLabels) this.string(l);
    return this.ascii(']');
  }

  /** Appends bytes written by another writer (or any bytes). */
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

const MAX_EXACT = 2 ** 53;

/**
 * The sorted order of recently seen property-key lists: a graph has few property-key sets (one per
 * kind of entity, usually), so the sort runs once per set instead of once per entity. A hit is an
 * element-wise match of the keys in the order the map gave them (the driver builds maps of one kind in
 * the same order); the cache holds at most `capacity` lists, replaced round-robin.
 */
export class KeyOrderCache {
  private readonly given: string[][] = [];
  private readonly sortedLists: string[][] = [];
  private next = 0;

  constructor(private readonly capacity = 16) {}

  /** `keys` sorted by code units (`keys` itself is not reordered). */
  sorted(keys: readonly string[]): readonly string[] {
    const given = this.given;
    for (let c = 0; c < given.length; c++) {
      const g = given[c];
      if (g.length !== keys.length) continue;
      let same = true;
      for (let i = 0; i < g.length; i++) {
        if (g[i] !== keys[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.sortedLists[c];
    }
    const sorted = [...keys].sort(compareCodeUnits);
    const slot = given.length < this.capacity ? given.length : this.next++ % this.capacity;
    given[slot] = [...keys];
    this.sortedLists[slot] = sorted;
    return sorted;
  }
}

/** Plain `<` on strings: UTF-16 code unit order, independent of locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts a copy of the labels in code unit order. */
export function sortLabels(labels: readonly string[]): string[] {
  return [...labels].sort(compareCodeUnits);
}

function encodeFloat(x: number): string {
  if (Object.is(x, -0)) return '-0';
  return String(x); // shortest string that round-trips; NaN and +/-Infinity spelled out
}

interface DateTimeLike {
  year: unknown;
  month: unknown;
  day: unknown;
  hour: unknown;
  minute: unknown;
  second: unknown;
  nanosecond: unknown;
  timeZoneOffsetSeconds?: unknown;
  timeZoneId?: unknown;
}

function toNum(v: unknown): number {
  return isInt(v) ? v.toNumber() : Number(v);
}

function timeFields(v: DateTimeLike): unknown[] {
  return [v.hour, v.minute, v.second, v.nanosecond];
}

function localDateTimeFields(v: DateTimeLike): unknown[] {
  return [v.year, v.month, v.day, ...timeFields(v)];
}

/** Seconds since 1970-01-01T00:00 of the local fields read as UTC (proleptic Gregorian). */
function epochSecondsOfLocal(v: DateTimeLike): number {
  const days = daysFromCivil(toNum(v.year), toNum(v.month), toNum(v.day));
  return days * 86400 + toNum(v.hour) * 3600 + toNum(v.minute) * 60 + toNum(v.second);
}

/** Howard Hinnant's days_from_civil: exact for the whole Neo4j date range. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describeType(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  return (v as object).constructor?.name ?? 'object';
}
