import { Duration } from 'aws-cdk-lib';

/**
 * How a procedure's waits (stack update, steady ECS services, health gate, snapshots) notice that what
 * they wait for has happened.
 */
export class WaitDetection {
  /**
   * The waiting function looks every second within one invocation (up to its handler's budget, well under
   * its timeout), and Step Functions' Retry, one second apart, only starts the next invocation: a
   * finished wait is noticed within about a second, with fewer state transitions than backing off.
   * Costs the function's run time while it waits (Lambda GB-seconds).
   */
  public static readonly LOOK_EVERY_SECOND = new WaitDetection('look-every-second', Duration.seconds(1));

  /**
   * One look per invocation; Step Functions' Retry backs off between looks (3-5 s growing by 1.5x to
   * 20 s, 60 s for snapshots). A finished wait may be noticed only that much later.
   */
  public static readonly RETRY_BACKOFF = new WaitDetection('retry-backoff');

  private constructor(
    /** The name of the approach. */
    public readonly value: string,
    /**
     * How often a waiting function looks within one invocation.
     * @default - one look per invocation
     */
    public readonly lookEvery?: Duration,
  ) {}
}
