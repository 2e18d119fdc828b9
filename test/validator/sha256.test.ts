import * as crypto from 'node:crypto';
import { Sum128, bucketOf, bucketOfWords, digest } from '../../validator/checksum';
import { Sha256 } from '../../validator/sha256';

function hexOf(words: Int32Array): string {
  return Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
}

describe('Sha256 (the full pass hashes entities with it)', () => {
  test('equals node:crypto SHA-256 for every length across the block and padding boundaries', () => {
    const sha = new Sha256();
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.randomBytes(length);
      expect(hexOf(sha.hash(bytes, length))).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    }
  });

  test('hashes only the first `length` bytes of a larger buffer (a reused writer buffer), and long messages', () => {
    const sha = new Sha256();
    const buffer = crypto.randomBytes(5000);
    for (const length of [55, 56, 63, 64, 119, 120, 4097]) {
      expect(hexOf(sha.hash(buffer, length))).toBe(crypto.createHash('sha256').update(buffer.subarray(0, length)).digest('hex'));
    }
    expect(hexOf(sha.hash(Buffer.from('abc'), 3))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('Sum128.addPrefixWords and bucketOfWords agree with addDigest and bucketOf on the crypto digest', () => {
    const sha = new Sha256();
    const byWords = new Sum128();
    const byDigest = new Sum128();
    for (let i = 0; i < 500; i++) {
      const bytes = crypto.randomBytes(i % 130);
      const words = sha.hash(bytes, bytes.length);
      byWords.addPrefixWords(words);
      const d = digest(bytes);
      byDigest.addDigest(d);
      for (const k of [1, 2, 7, 1000]) expect(bucketOfWords(words, k)).toBe(bucketOf(d, k));
    }
    expect(byWords.toHex()).toBe(byDigest.toHex());
  });
});
