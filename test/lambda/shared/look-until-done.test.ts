import { HealthGateError, InvalidInputError, StillInProgressError } from '../../../lambda/shared/errors';
import { lookOptions, lookUntilDone } from '../../../lambda/shared/look-until-done';

/** A clock whose sleeps pass at once and are recorded. */
function fakeClock() {
  let t = Date.parse('2026-06-01T12:00:00Z');
  const sleeps: number[] = [];
  return { sleeps, now: () => new Date(t), sleep: async (ms: number) => { sleeps.push(ms); t += ms; } };
}
const notYet = (e: unknown) => e instanceof StillInProgressError;

/** A look that says "not yet" `misses` times, then done. */
function lookDoneAfter(misses: number) {
  let looks = 0;
  const look = async () => {
    looks++;
    if (looks <= misses) throw new StillInProgressError(`look ${looks}: still running`);
    return `done at look ${looks}`;
  };
  return { look, looks: () => looks };
}

test('without poll options it looks once and passes "not yet" on (the Retry polls)', async () => {
  const clock = fakeClock();
  const { look, looks } = lookDoneAfter(1);
  await expect(lookUntilDone(clock, undefined, notYet, look)).rejects.toThrow('look 1: still running');
  expect(looks()).toBe(1);
  expect(clock.sleeps).toEqual([]);
});

test('looks every everySeconds until done, within one invocation', async () => {
  const clock = fakeClock();
  const { look } = lookDoneAfter(7);
  await expect(lookUntilDone(clock, { everySeconds: 1, withinSeconds: 240 }, notYet, look)).resolves.toBe('done at look 8');
  expect(clock.sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000]);
});

test('gives the last "not yet" back once the next pause would pass the budget', async () => {
  const clock = fakeClock();
  const { look, looks } = lookDoneAfter(1000);
  await expect(lookUntilDone(clock, { everySeconds: 2, withinSeconds: 9 }, notYet, look)).rejects.toMatchObject({
    name: 'StillInProgressError', message: 'look 5: still running',
  });
  expect(looks()).toBe(5); // at 0, 2, 4, 6, 8 s; a look at 10 s would pass the 9 s budget
  expect(clock.sleeps).toEqual([2000, 2000, 2000, 2000]);
});

test('an error that is not "not yet" ends the invocation at once', async () => {
  const clock = fakeClock();
  const look = jest.fn(async () => { throw new HealthGateError('expected Neo4j 5.26.2; found 5.26.1'); });
  await expect(lookUntilDone(clock, { everySeconds: 1, withinSeconds: 60 }, notYet, look)).rejects.toThrow('found 5.26.1');
  expect(look).toHaveBeenCalledTimes(1);
});

test('time spent in the looks counts against the budget', async () => {
  const clock = fakeClock();
  let looks = 0;
  const slowLook = async () => {
    looks++;
    await clock.sleep(10_000); // a look that takes 10 s (e.g. a Bolt connect timeout)
    throw new StillInProgressError('still running');
  };
  await expect(lookUntilDone(clock, { everySeconds: 1, withinSeconds: 30 }, notYet, slowLook)).rejects.toThrow('still running');
  expect(looks).toBe(3); // ends at 10, 21, 32 s
});

describe('lookOptions', () => {
  test('absent or null: one look per invocation', () => {
    expect(lookOptions(undefined)).toBeUndefined();
    expect(lookOptions(null)).toBeUndefined();
  });

  test('whole seconds within what one invocation can take', () => {
    expect(lookOptions({ everySeconds: 1, withinSeconds: 240 })).toEqual({ everySeconds: 1, withinSeconds: 240 });
  });

  test.each([
    ['fast', 'poll must be an object, got "fast"'],
    [[1, 240], 'poll must be an object, got [1,240]'],
    [{ everySeconds: 0, withinSeconds: 240 }, 'poll.everySeconds must be an integer from 1 to 60, got 0'],
    [{ everySeconds: 1.5, withinSeconds: 240 }, 'poll.everySeconds must be an integer from 1 to 60, got 1.5'],
    [{ everySeconds: 1 }, 'poll.withinSeconds must be an integer from 0 to 840, got undefined'],
    [{ everySeconds: 1, withinSeconds: 900 }, 'poll.withinSeconds must be an integer from 0 to 840, got 900'],
  ])('refuses %j', (value, message) => {
    expect(() => lookOptions(value)).toThrow(new InvalidInputError(message));
    expect(() => lookOptions(value)).toThrow(message);
  });
});
