/**
 * A template with every IAM policy document replaced by its sorted list of single grants
 * (effect, principal, action, resource, condition): two templates compare equal when they grant the
 * same, whatever the statement order or merging (the `@aws-cdk/aws-iam:minimizePolicies` flag changes
 * only that, and is read at the stack, where no construct can pin it).
 */
export function normalizePolicies(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizePolicies);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (Array.isArray(object.Statement) && 'Version' in object) return grants(object.Statement as Record<string, unknown>[]);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, normalizePolicies(v)]));
}

function grants(statements: Record<string, unknown>[]): string[] {
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
  const out = new Set<string>();
  for (const s of statements) {
    for (const action of list(s.Action ?? s.NotAction)) {
      for (const resource of list(s.Resource ?? s.NotResource)) {
        out.add(JSON.stringify([s.Effect, s.Principal ?? null, action, resource ?? null, s.Condition ?? null, s.Sid ?? null]));
      }
    }
  }
  return [...out].sort();
}
