import { PROCEDURE_LIMITS, jsonBytes } from '../../lib/private/procedure-limits';
import { InvalidInputError } from './errors';
import { show } from './input-checks';

/**
 * The execution input stays in the state for the whole run: bounded, so every later state has room.
 * Names the largest field of an object input, so the operator knows what to shorten. Returns the size.
 */
export function checkInputSize(input: unknown): number {
  const bytes = jsonBytes(input);
  if (bytes <= PROCEDURE_LIMITS.executionInputBytes) return bytes;
  const fields = input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.entries(input) : [];
  const largest = fields.map(([k, v]) => ({ k, bytes: jsonBytes(v) })).sort((a, b) => b.bytes - a.bytes)[0];
  throw new InvalidInputError(
    `the execution input is ${bytes} bytes as JSON, at most ${PROCEDURE_LIMITS.executionInputBytes} (it is kept in the state, ` +
    `which Step Functions caps at 256 KiB)${largest ? `; its largest field is ${show(largest.k)} (${largest.bytes} bytes)` : ''}`,
  );
}
