import { InvalidInputError } from './errors';
import { show } from './input-checks';

/**
 * How a waiting handler looks within one invocation (the task's `poll` input, written by the state
 * machine): every `everySeconds` until the condition holds or `withinSeconds` have passed; then the last
 * "not yet" error goes to Step Functions, whose Retry invokes again. Absent: one look per invocation.
 */
export interface LookOptions {
  readonly everySeconds: number;
  readonly withinSeconds: number;
}

/** The clock of a waiting handler: real in Lambda, the rehearsal's own there. */
export interface LookClock {
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The `poll` input checked: absent, or whole seconds within what one Lambda invocation can take. */
export function lookOptions(value: unknown): LookOptions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError(`poll must be an object, got ${show(value)}`);
  const v = value as Record<string, unknown>;
  const seconds = (field: keyof LookOptions, min: number, max: number): number => {
    const n = v[field];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidInputError(`poll.${field} must be an integer from ${min} to ${max}, got ${show(n)}`);
    }
    return n;
  };
  return { everySeconds: seconds('everySeconds', 1, 60), withinSeconds: seconds('withinSeconds', 0, 840) };
}

/**
 * Runs `look` until it returns, or until the budget is spent; a `notYet` error in between means "look
 * again after `everySeconds`". A look is not started when the pause before it would pass the budget,
 * so one invocation ends after about `withinSeconds` plus one look.
 */
export async function lookUntilDone<T>(
  clock: LookClock, options: LookOptions | undefined, notYet: (err: unknown) => boolean, look: () => Promise<T>,
): Promise<T> {
  if (!options) return look();
  const now = () => (clock.now ?? (() => new Date()))().getTime();
  const sleep = clock.sleep ?? realSleep;
  const every = options.everySeconds * 1000;
  const deadline = now() + options.withinSeconds * 1000;
  for (;;) {
    try {
      return await look();
    } catch (err) {
      if (!notYet(err) || now() + every > deadline) throw err;
    }
    await sleep(every);
  }
}
