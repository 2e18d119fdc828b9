/**
 * How many pre-seeded volumes an AZ needs so that every node that boots there finds one.
 *
 * An Auto Scaling group spread over k AZs keeps them balanced: with T instances each AZ holds
 * floor(T/k) or ceil(T/k), and which AZs get the extra ones is not known in advance. So AZ `a`
 * gets at most ceil(T/k) instances, of which `holders(a)` already have a volume; and there are only
 * T - sum(holders) new nodes in all. Hence, per AZ:
 *
 *     need(a) = min(T - sum(holders), max(0, ceil(T/k) - holders(a)))
 *
 * This covers any balanced placement; when T is not a multiple of k it leaves at most one spare
 * volume per AZ (kept, available and claimable, never deleted). A node that still finds none (e.g. an
 * AZ was impaired and the group placed unevenly) creates a fresh volume and catches up online, as
 * seed step 6 says a node without a copy would.
 */
export function balancedNeed(target: number, zones: readonly string[], holders: Readonly<Record<string, number>> = {}): Map<string, number> {
  const need = new Map<string, number>();
  const held = zones.reduce((sum, z) => sum + (holders[z] ?? 0), 0);
  const newNodes = Math.max(0, target - held);
  const perZone = zones.length === 0 ? 0 : Math.ceil(target / zones.length);
  for (const z of zones) need.set(z, Math.min(newNodes, Math.max(0, perZone - (holders[z] ?? 0))));
  return need;
}

/** Adds counts per AZ. */
export function addNeeds(...needs: ReadonlyArray<ReadonlyMap<string, number>>): Map<string, number> {
  const sum = new Map<string, number>();
  for (const need of needs) for (const [z, n] of need) sum.set(z, (sum.get(z) ?? 0) + n);
  return sum;
}
