/**
 * SHA-256 in JavaScript for the full pass's hot path: one digest per entity, written as eight 32-bit
 * words into a reused array, so that `Sum128.addPrefixWords` adds its first 128 bits without a `Buffer`.
 *
 * Why not `crypto.hash`: the entities are short (about 60-130 bytes, two blocks), so the native call's
 * fixed cost (argument checks, an OpenSSL digest context, a new `Buffer` per digest) outweighs the
 * hashing itself: 2.5 us per 80-byte message against 1.5 us here (CPU, a loaded 2-core machine, with
 * SHA-NI). The result is the standard SHA-256 (the tests compare it with `node:crypto` for every
 * length across the block boundaries), so the checksums do not change.
 */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export class Sha256 {
  /** The digest of the last `hash`: eight big-endian words (word 0 is the digest's first 4 bytes), signed. */
  readonly words = new Int32Array(8);
  private readonly schedule = new Int32Array(64);
  /** The last one or two blocks: the message's tail, the 0x80 byte, zeros and the bit length. */
  private readonly tail = Buffer.alloc(128);

  /** SHA-256 of `bytes[0, length)`; returns `words` (overwritten by the next call). */
  hash(bytes: Uint8Array, length: number): Int32Array {
    this.words.set(INITIAL);
    let offset = 0;
    for (; offset + 64 <= length; offset += 64) this.block(bytes, offset);
    const rest = length - offset;
    const tail = this.tail;
    const padded = rest < 56 ? 64 : 128;
    for (let i = 0; i < rest; i++) tail[i] = bytes[offset + i];
    tail[rest] = 0x80;
    for (let i = rest + 1; i < padded - 8; i++) tail[i] = 0;
    const bits = length * 8; // message length in bits, big-endian 64-bit (exact below 2^53)
    const high = Math.floor(bits / 0x1_0000_0000);
    tail[padded - 8] = high >>> 24;
    tail[padded - 7] = high >>> 16;
    tail[padded - 6] = high >>> 8;
    tail[padded - 5] = high;
    tail[padded - 4] = bits >>> 24;
    tail[padded - 3] = bits >>> 16;
    tail[padded - 2] = bits >>> 8;
    tail[padded - 1] = bits;
    this.block(tail, 0);
    if (padded === 128) this.block(tail, 64);
    return this.words;
  }

  /** The compression function on the 64 bytes at `offset` (FIPS 180-4, 6.2.2). */
  private block(bytes: Uint8Array, offset: number): void {
    const w = this.schedule;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    const h = this.words;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (let i = 0; i < 64; i++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (k + sum1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + k) | 0;
  }
}
