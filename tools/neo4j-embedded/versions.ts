/** Orders Neo4j versions by their numeric parts (`5.26.30` < `2025.01` < `2026.08.1`); missing parts count as 0. */
export function compareNeo4jVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
