import { ClusterContext } from './context';
import { InvalidInputError } from './errors';

/**
 * Checks on execution input, run before any call that changes something. Each failure names the
 * field and the value it got, and throws InvalidInputError (not retryable: nothing was changed).
 */

/** Longest part of a bad value an error message quotes: a message must stay far below Step Functions' 256 KiB state limit. */
export const SHOWN_VALUE_CHARACTERS = 200;

/**
 * A value as JSON for an error message: whole when short, else its first SHOWN_VALUE_CHARACTERS
 * characters and its length (of the string itself, or of the JSON of anything else).
 */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= SHOWN_VALUE_CHARACTERS) return text;
  const length = typeof value === 'string' ? value.length : text.length;
  return `${text.slice(0, SHOWN_VALUE_CHARACTERS)}… (${length} characters)`;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidInputError(`${field} must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, field);
}

export function requireInteger(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidInputError(`${field} must be an integer >= ${min}, got ${show(value)}`);
  }
  return value;
}

export function requireArray<T = unknown>(value: unknown, field: string, minLength = 0): T[] {
  if (!Array.isArray(value) || value.length < minLength) {
    throw new InvalidInputError(`${field} must be an array of at least ${minLength} item(s), got ${show(value)}`);
  }
  return value as T[];
}

export function requireStringArray(value: unknown, field: string, minLength = 0): string[] {
  return requireArray(value, field, minLength).map((v, i) => requireString(v, `${field}[${i}]`));
}

/** The cluster fields the volume and instance tasks rely on. */
export type ClusterField = keyof Pick<ClusterContext,
  'dataVolumeName' | 'environmentName' | 'mainAutoScalingGroupName' | 'slaveAutoScalingGroupName'>;

export function requireCluster(value: unknown, fields: readonly ClusterField[]): ClusterContext {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidInputError(`cluster must be an object, got ${show(value)}`);
  }
  const cluster = value as Record<string, unknown>;
  for (const field of fields) requireString(cluster[field], `cluster.${field}`);
  return value as ClusterContext;
}
