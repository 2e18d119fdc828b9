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
  if (value === null || value === undefined) return 'z';
  switch (typeof value) {
    case 'string':
      return 's' + value.length + ':' + value;
    case 'number':
      return 'f' + encodeFloat(value) + ';';
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return 'i' + value.toString() + ';';
    default:
      break;
  }
  if (isInt(value)) return 'i' + value.toString() + ';';
  if (Array.isArray(value)) {
    let out = 'l' + value.length + '[';
    for (const item of value) out += encodeValue(item);
    return out + ']';
  }
  if (value instanceof Int8Array || value instanceof Uint8Array) {
    return 'x' + value.byteLength + ':' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  if (isDateTime(value)) {
    const v = value as unknown as DateTimeLike;
    if (v.timeZoneId !== null && v.timeZoneId !== undefined) {
      if (v.timeZoneOffsetSeconds === null || v.timeZoneOffsetSeconds === undefined) {
        // Legacy Bolt (< 5.0 without the UTC patch) gives local fields and a zone id only.
        return 'Y' + localDateTimeFields(v) + ',' + encodeValue(String(v.timeZoneId)) + ';';
      }
      const epoch = epochSecondsOfLocal(v) - Number(num(v.timeZoneOffsetSeconds));
      return 'Z' + epoch + ',' + num(v.nanosecond) + ',' + encodeValue(String(v.timeZoneId)) + ';';
    }
    return 'O' + localDateTimeFields(v) + ',' + num(v.timeZoneOffsetSeconds) + ';';
  }
  if (isLocalDateTime(value)) return 'L' + localDateTimeFields(value as unknown as DateTimeLike) + ';';
  if (isDate(value)) {
    const v = value as unknown as DateTimeLike;
    return 'D' + num(v.year) + ',' + num(v.month) + ',' + num(v.day) + ';';
  }
  if (isTime(value)) {
    const v = value as unknown as DateTimeLike;
    return 'Q' + timeFields(v) + ',' + num(v.timeZoneOffsetSeconds) + ';';
  }
  if (isLocalTime(value)) return 't' + timeFields(value as unknown as DateTimeLike) + ';';
  if (isDuration(value)) {
    const v = value as unknown as { months: unknown; days: unknown; seconds: unknown; nanoseconds: unknown };
    return 'U' + num(v.months) + ',' + num(v.days) + ',' + num(v.seconds) + ',' + num(v.nanoseconds) + ';';
  }
  if (isPoint(value)) {
    const v = value as unknown as { srid: unknown; x: number; y: number; z?: number };
    let out = 'P' + num(v.srid) + ',' + encodeFloat(v.x) + ',' + encodeFloat(v.y);
    if (v.z !== undefined && v.z !== null) out += ',' + encodeFloat(v.z);
    return out + ';';
  }
  if (isVector(value)) {
    const items = Array.from(value.asTypedArray() as ArrayLike<number | bigint>);
    const float = value.getType().startsWith('FLOAT');
    let out = 'V' + value.getType() + ',' + items.length + '[';
    for (const item of items) out += (float ? encodeFloat(Number(item)) : String(item)) + ',';
    return out + ']';
  }
  if (isPlainObject(value)) return encodeMap(value);
  throw new TypeError(`cannot encode a value of type ${describeType(value)}: not a Neo4j property value`);
}

/** A property map: `m<n>{` then each key (as a string) and value, keys sorted, then `}`. */
export function encodeMap(map: Record<string, unknown>, exclude?: string): string {
  const keys = Object.keys(map);
  if (exclude !== undefined) {
    const i = keys.indexOf(exclude);
    if (i >= 0) keys.splice(i, 1);
  }
  keys.sort(compareCodeUnits);
  let out = 'm' + keys.length + '{';
  for (const k of keys) out += 's' + k.length + ':' + k + encodeValue(map[k]);
  return out + '}';
}

/** Labels sorted by UTF-16 code units, as a list of strings. */
export function encodeLabels(sortedLabels: readonly string[]): string {
  let out = 'l' + sortedLabels.length + '[';
  for (const l of sortedLabels) out += 's' + l.length + ':' + l;
  return out + ']';
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

function num(v: unknown): string {
  return String(v); // Integer.toString() and Number.toString() both give plain decimal
}

function timeFields(v: DateTimeLike): string {
  return num(v.hour) + ',' + num(v.minute) + ',' + num(v.second) + ',' + num(v.nanosecond);
}

function localDateTimeFields(v: DateTimeLike): string {
  return num(v.year) + ',' + num(v.month) + ',' + num(v.day) + ',' + timeFields(v);
}

/** Seconds since 1970-01-01T00:00 of the local fields read as UTC (proleptic Gregorian). */
function epochSecondsOfLocal(v: DateTimeLike): number {
  const days = daysFromCivil(Number(num(v.year)), Number(num(v.month)), Number(num(v.day)));
  return days * 86400 + Number(num(v.hour)) * 3600 + Number(num(v.minute)) * 60 + Number(num(v.second));
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
