/**
 * SDK v3 clients pointed at the rehearsal's moto_server. Every client carries one middleware that
 * - counts the call (per operation, and per handler when a handler made it),
 * - can fail the first call of a handler invocation with a ThrottlingException (fault b), shaped like the
 *   SDK's own service error so the handler sees exactly what a throttled call gives it,
 * - can rewrite a response (simulated answers moto cannot give, e.g. drift detection, daemon desiredCount).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

export const MOTO_ACCOUNT = '123456789012';

/** Counts AWS API calls. */
export class ApiCallCounter {
  public total = 0;
  public readonly byOperation: Record<string, number> = {};
  public readonly byCaller: Record<string, number> = {};

  public record(caller: string, operation: string): void {
    this.total++;
    this.byOperation[operation] = (this.byOperation[operation] ?? 0) + 1;
    this.byCaller[caller] = (this.byCaller[caller] ?? 0) + 1;
  }

  public merge(other: ApiCallCounter): void {
    this.total += other.total;
    for (const [k, v] of Object.entries(other.byOperation)) this.byOperation[k] = (this.byOperation[k] ?? 0) + v;
    for (const [k, v] of Object.entries(other.byCaller)) this.byCaller[k] = (this.byCaller[k] ?? 0) + v;
  }
}

/** What a rewrite hook sees and may change. */
export interface CallInfo {
  /** e.g. `CloudFormation`, `ECS` (the SDK client name without `Client`). */
  readonly service: string;
  /** e.g. `DescribeStacks` (command name without `Command`). */
  readonly operation: string;
  readonly region: string;
  readonly input: Record<string, unknown>;
}

/**
 * Per-invocation behaviour of the clients a handler gets.
 * `answer` may return a response without calling moto (a simulated API moto lacks); `rewrite` may change
 * moto's response (a simulated part of it). Both are listed as simulated in the report by the caller.
 */
export interface CallHooks {
  /** Throw a ThrottlingException on the first call made through these clients (once). */
  throttleFirstCall?: boolean;
  answer?: (call: CallInfo) => Record<string, unknown> | undefined;
  rewrite?: (call: CallInfo, output: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Called after a throttling error was thrown. */
  onThrottled?: (call: CallInfo) => void;
}

/** The error an SDK v3 client throws for a throttled call (after its own retries). */
export function throttlingError(call: CallInfo): Error {
  const err = new Error(`Rate exceeded (rehearsal fault: ${call.service}.${call.operation} throttled once)`);
  err.name = 'ThrottlingException';
  Object.assign(err, {
    $fault: 'client',
    $retryable: { throttling: true },
    $metadata: { httpStatusCode: 400, requestId: 'rehearsal-throttle', attempts: 1, totalRetryDelay: 0 },
    Code: 'ThrottlingException',
  });
  return err;
}

interface Middlewarable {
  middlewareStack: { add: (mw: unknown, options: { step: string; name: string; priority?: string }) => void };
}

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
interface HandlerContext { clientName?: string; commandName?: string }

function instrument<T>(client: T, region: string, caller: string, counter: ApiCallCounter, hooks: CallHooks): T {
  (client as unknown as Middlewarable).middlewareStack.add(
    (next: Next, context: HandlerContext) => async (args: { input: Record<string, unknown> }) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const call: CallInfo = { service, operation, region, input: args.input };
      counter.record(caller, `${service}.${operation}`);
      if (hooks.throttleFirstCall) {
        hooks.onThrottled?.(call);
        throw throttlingError(call);
      }
      const answered = hooks.answer?.(call);
      if (answered !== undefined) return { output: { $metadata: { httpStatusCode: 200 }, ...answered } };
      const result = await next(args);
      if (hooks.rewrite) result.output = await hooks.rewrite(call, result.output);
      return result;
    },
    { step: 'initialize', name: 'rehearsalCallHooks', priority: 'high' },
  );
  return client;
}

export interface ClientFactoryOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly counter: ApiCallCounter;
}

/** The clients a handler's deps need, built lazily, all with the same hooks (one invocation's worth). */
export class ClientSet {
  private readonly cache = new Map<string, unknown>();
  /** Throttling is "once per invocation": the flag is shared by every client of the set. */
  private readonly shared: CallHooks;

  constructor(private readonly options: ClientFactoryOptions, private readonly caller: string, hooks: CallHooks = {}) {
    let spent = false;
    this.shared = {
      ...hooks,
      get throttleFirstCall() {
        return hooks.throttleFirstCall === true && !spent;
      },
      onThrottled: (call) => {
        spent = true;
        hooks.onThrottled?.(call);
      },
    };
  }

  private config(region: string) {
    return {
      endpoint: this.options.endpoint,
      region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
      maxAttempts: 2,
    };
  }

  private get<T>(key: string, region: string, make: () => T): T {
    const id = `${key}@${region}`;
    if (!this.cache.has(id)) this.cache.set(id, instrument(make(), region, this.caller, this.options.counter, this.shared));
    return this.cache.get(id) as T;
  }

  get region(): string { return this.options.region; }
  get cfn(): CloudFormationClient { return this.get('cfn', this.region, () => new CloudFormationClient(this.config(this.region))); }
  get ssm(): SSMClient { return this.get('ssm', this.region, () => new SSMClient(this.config(this.region))); }
  get ec2(): EC2Client { return this.ec2ForRegion(this.region); }
  get autoScaling(): AutoScalingClient { return this.get('asg', this.region, () => new AutoScalingClient(this.config(this.region))); }
  get ecs(): ECSClient { return this.get('ecs', this.region, () => new ECSClient(this.config(this.region))); }
  get secrets(): SecretsManagerClient { return this.get('secrets', this.region, () => new SecretsManagerClient(this.config(this.region))); }
  get sns(): SNSClient { return this.get('sns', this.region, () => new SNSClient(this.config(this.region))); }
  get events(): EventBridgeClient { return this.get('events', this.region, () => new EventBridgeClient(this.config(this.region))); }
  get elb(): ElasticLoadBalancingV2Client { return this.get('elb', this.region, () => new ElasticLoadBalancingV2Client(this.config(this.region))); }
  get rds(): RDSClient { return this.get('rds', this.region, () => new RDSClient(this.config(this.region))); }
  get sfn(): SFNClient { return this.get('sfn', this.region, () => new SFNClient(this.config(this.region))); }
  public ec2ForRegion = (region: string): EC2Client => this.get('ec2', region, () => new EC2Client(this.config(region)));
}
