import { Sum128 } from './checksum';
import type { GroupDigest } from './snapshot';
import { addDigests, sortRecord } from './snapshot';

/** One group's count and checksum sum, as records arrive. */
export class GroupAccumulator {
  count = 0;
  readonly sum = new Sum128();
  constructor(readonly key: string) {}
}

/** Group accumulators by label set or type; the cache key avoids re-deriving the group key per record. */
export class Groups {
  private readonly byCacheKey = new Map<string, GroupAccumulator>();

  get(cacheKey: string, makeKey: () => string): GroupAccumulator {
    let g = this.byCacheKey.get(cacheKey);
    if (!g) {
      g = new GroupAccumulator(makeKey());
      this.byCacheKey.set(cacheKey, g);
    }
    return g;
  }

  digests(checksums: boolean): Record<string, GroupDigest> {
    const out: Record<string, GroupDigest> = {};
    for (const g of this.byCacheKey.values()) {
      const d: GroupDigest = checksums ? { count: g.count, checksum: g.sum.toHex() } : { count: g.count };
      out[g.key] = addDigests(out[g.key], d); // two cache keys could only meet for labels containing NUL
    }
    return sortRecord(out);
  }
}
