/**
 * Resolves the intrinsic functions a parameter-only stack update acts through (Ref to a parameter,
 * Fn::FindInMap, Fn::Join, Fn::Sub-free values) for a given set of parameter values, so tests can show
 * what a node would run after `UpdateStack` with only parameters changed.
 */
export function resolveWithParameters(value: unknown, template: any, parameters: Record<string, string>): unknown {
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o && typeof o.Ref === 'string' && o.Ref in template.Parameters) {
      return parameters[o.Ref] ?? String(template.Parameters[o.Ref].Default);
    }
    if ('Fn::FindInMap' in o) {
      const [map, top, second] = (o['Fn::FindInMap'] as unknown[]).map(resolve) as string[];
      const found = template.Mappings?.[map]?.[top]?.[second];
      if (found === undefined) throw new Error(`Fn::FindInMap ${map}.${top}.${second} has no value`);
      return found;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(value);
}
