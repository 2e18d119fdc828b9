import { InvalidInputError } from '../shared/errors';
import { requireString, show } from '../shared/input-checks';

/** Percent of new connections per colour (target group name in the endpoint, e.g. `blue`, `green`). */
export type Weights = Record<string, number>;

/** The colours' target groups, by colour. */
export type TargetGroups = Record<string, string>;

export function requireTargetGroups(value: unknown): TargetGroups {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new InvalidInputError(`targetGroups must be an object of colour -> target group ARN, got ${show(value)}`);
  }
  const groups = value as Record<string, unknown>;
  for (const colour of Object.keys(groups)) requireString(groups[colour], `targetGroups.${colour}`);
  const arns = Object.values(groups);
  if (new Set(arns).size !== arns.length) throw new InvalidInputError(`targetGroups names one target group twice, got ${show(value)}`);
  return groups as TargetGroups;
}

/** Whole percents over known colours, summing to 100; colours left out get 0. */
export function requireWeights(value: unknown, groups: TargetGroups): Weights {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new InvalidInputError(`weights must be an object of colour -> percent, got ${show(value)}`);
  }
  const given = value as Record<string, unknown>;
  const weights: Weights = Object.fromEntries(Object.keys(groups).map((c) => [c, 0]));
  for (const [colour, weight] of Object.entries(given)) {
    if (!(colour in groups)) throw new InvalidInputError(`weights.${colour} names no target group (known: ${Object.keys(groups).join(', ')})`);
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new InvalidInputError(`weights.${colour} must be an integer from 0 to 100, got ${show(weight)}`);
    }
    weights[colour] = weight;
  }
  const sum = Object.values(weights).reduce((a, b) => a + b, 0);
  if (sum !== 100) throw new InvalidInputError(`weights must sum to 100, got ${show(value)} (sum ${sum})`);
  return weights;
}

export function sameWeights(a: Weights, b: Weights): boolean {
  const colours = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...colours].every((c) => (a[c] ?? 0) === (b[c] ?? 0));
}
