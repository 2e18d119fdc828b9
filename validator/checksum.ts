import * as crypto from 'node:crypto';

/**
 * Order-independent multiset checksum: the sum, modulo 2^128, of the first 128 bits of SHA-256 of each
 * entity's canonical encoding (an "AdHash").
 *
 * - Order-independent and streamable: addition commutes, so entities can be hashed in any order, in any
 *   number of partitions, and the partial sums added afterwards (`Sum128.add`).
 * - Counts multiplicity: a duplicated entity changes the sum (an XOR would cancel pairs out).
 * - Collisions: for two different multisets, the sums agree only if the hashes of the entities that
 *   differ sum to 0 mod 2^128; modelling SHA-256 as a random function, that has probability 2^-128 per
 *   comparison. It is an integrity check against accidents (lost, changed, duplicated or re-typed data),
 *   not a MAC: someone who can choose the data can forge equal sums with a generalised-birthday search.
 *   The per-group counts are compared as well, so only same-size groups rely on the sum.
 */
export const CHECKSUM_ALGORITHM = 'sha256-128/sum-mod-2^128';

type HashInput = string | Uint8Array;
const hashOnce: (data: HashInput) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash(a: string, d: HashInput, o: 'buffer'): Buffer }).hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** SHA-256 of `data` (a string is hashed as its UTF-8); callers use the first 16 bytes. */
export function digest(data: HashInput): Buffer {
  return hashOnce(data);
}

/** The first 128 bits of the digest as 32 lowercase hex characters (used as a compact stable key). */
export function digestHex(data: HashInput): string {
  return hashOnce(data).toString('hex', 0, 16);
}

/** Bucket of a digest among `k` partitions: its first 48 bits modulo k (uniform enough for k << 2^32). */
export function bucketOf(d: Buffer, k: number): number {
  return d.readUIntBE(0, 6) % k;
}

/** `bucketOf` for a digest given as its words (`Sha256.words`): the same first 48 bits modulo k. */
export function bucketOfWords(words: Int32Array, k: number): number {
  return ((words[0] >>> 0) * 0x1_0000 + (words[1] >>> 16)) % k;
}

const TWO32 = 0x1_0000_0000;

/** A 128-bit accumulator kept as four 32-bit limbs (little end first): no BigInt on the hot path. */
export class Sum128 {
  private l0 = 0;
  private l1 = 0;
  private l2 = 0;
  private l3 = 0;

  static fromHex(hex: string): Sum128 {
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a 128-bit hex checksum: ${JSON.stringify(hex)}`);
    const s = new Sum128();
    s.l3 = parseInt(hex.slice(0, 8), 16);
    s.l2 = parseInt(hex.slice(8, 16), 16);
    s.l1 = parseInt(hex.slice(16, 24), 16);
    s.l0 = parseInt(hex.slice(24, 32), 16);
    return s;
  }

  /** Adds the first 16 bytes of a digest, read as a big-endian 128-bit number. */
  addDigest(d: Buffer): this {
    return this.addLimbs(d.readUInt32BE(12), d.readUInt32BE(8), d.readUInt32BE(4), d.readUInt32BE(0));
  }

  /** Adds the first 128 bits of a digest given as its words (`Sha256.words`: big-endian order, signed). */
  addPrefixWords(words: Int32Array): this {
    return this.addLimbs(words[3] >>> 0, words[2] >>> 0, words[1] >>> 0, words[0] >>> 0);
  }

  add(other: Sum128): this {
    return this.addLimbs(other.l0, other.l1, other.l2, other.l3);
  }

  /** Equal when the hex is equal; hex is big-endian, 32 characters. */
  toHex(): string {
    return hex8(this.l3) + hex8(this.l2) + hex8(this.l1) + hex8(this.l0);
  }

  private addLimbs(a0: number, a1: number, a2: number, a3: number): this {
    let t = this.l0 + a0;
    let c = t >= TWO32 ? 1 : 0;
    this.l0 = t - c * TWO32;
    t = this.l1 + a1 + c;
    c = t >= TWO32 ? 1 : 0;
    this.l1 = t - c * TWO32;
    t = this.l2 + a2 + c;
    c = t >= TWO32 ? 1 : 0;
    this.l2 = t - c * TWO32;
    t = this.l3 + a3 + c;
    this.l3 = t >= TWO32 ? t - TWO32 : t; // the carry out of bit 127 is dropped: mod 2^128
    return this;
  }
}

/** Sum of hex checksums, mod 2^128. */
export function addHex(...hexes: string[]): string {
  const s = new Sum128();
  for (const h of hexes) s.add(Sum128.fromHex(h));
  return s.toHex();
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
