/** The CLI's clock readings: elapsed time rounds to the nearest second, time left rounds down. */
import { countdown, duration } from '../../bin/upgrade/format-progress';

test('an elapsed duration rounds to the nearest second and reads in s, m and s, or h and m', () => {
  expect(duration(400)).toBe('0s');
  expect(duration(59_600)).toBe('1m00s');
  expect(duration(3_599_600)).toBe('1h00m');
  expect(duration(-5_000)).toBe('0s');
});

test('a countdown never promises more time than is left', () => {
  expect(countdown(3_599_600)).toBe('59m59s');
  expect(countdown(3_600_000)).toBe('1h00m');
  expect(countdown(59_999)).toBe('59s');
  expect(countdown(-1)).toBe('0s');
});
