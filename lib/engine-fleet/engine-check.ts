import { Duration, Token } from 'aws-cdk-lib';
import { Neo4jUpgradesValidationError } from '../errors';

/** Options of {@link EngineCheck.http}. */
export interface EngineCheckOptions {
  /** The path each node's engine answers 200 on, on the fleet's engine port, when it serves and its job executor runs. */
  readonly path: string;
  /**
   * How long a group's engines may take to pass, after their targets are healthy, before the group fails (rollback).
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * The engine-level check after a group's container health check (seed 002 step 2.3): once the group's
 * services run the new image, each node's running task is asked directly, on the fleet's engine port, until
 * every one answers 200 or the timeout passes (then the rollback), before the group is registered in the
 * target group again: a group whose engine does not serve or whose job executor does not run never takes
 * traffic. The check's handler runs in the fleet's VPC: the nodes' security group must admit it (the fleet's
 * `engineSecurityGroup` is opened for it).
 */
export class EngineCheck {
  /** Camunda 7 on Spring Boot with the actuator: `/actuator/health`, which includes its processEngine and jobExecutor indicators. */
  public static readonly CAMUNDA_SPRING_BOOT_ACTUATOR = new EngineCheck('/actuator/health', Duration.minutes(10));

  /** A check on the given path. */
  public static http(options: EngineCheckOptions): EngineCheck {
    return new EngineCheck(options.path, options.timeout ?? Duration.minutes(10));
  }

  private constructor(
    /** The path checked on each node. */
    public readonly path: string,
    /** How long a group's engines may take to pass. */
    public readonly timeout: Duration,
  ) {
    this.validate();
  }

  private validate(): void {
    if (!Token.isUnresolved(this.path) && (typeof this.path !== 'string' || !/^\/[^\s?#]*(\?[^\s#]*)?$/.test(this.path) || this.path.length > 256)) {
      throw new Neo4jUpgradesValidationError('engineCheck.path', JSON.stringify(this.path), 'must be an absolute path like /actuator/health (at most 256 characters, no spaces)');
    }
    const seconds = this.timeout.toSeconds();
    if (seconds < 10 || seconds > 3600) {
      throw new Neo4jUpgradesValidationError('engineCheck.timeout', `${seconds} s`, 'must be between 10 seconds and 1 hour');
    }
  }
}
