/** `bolt://10.0.0.1:7687?x=y` -> `10.0.0.1:7687` (any scheme: bolt, neo4j, ha, http). */
export function hostPortOf(uri: string): string {
  return uri.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[/?].*$/, '');
}
