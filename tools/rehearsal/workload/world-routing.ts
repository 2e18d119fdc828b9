/**
 * Where a routing driver would send the client's transactions, read from the harness's world: one embedded
 * Neo4j plays every server, so whether a member is up is the world's state (moto's Auto Scaling group,
 * the stack's modes, the waits' clocks), not the real server's. A transaction the world gives no member
 * for fails as a routing driver's does (no writer / no reader): a DERIVED failure.
 *
 * The master is down (derived) while, after a stack change that replaced the main service's tasks (the
 * container's settings changed), it serves alone (one primary: the single-master stages) and no health
 * gate started after the change has seen its condition become true: until then the world answers the
 * gate's SHOW SERVERS with that member Unavailable. With several primaries the daemon rolls one task at a
 * time and a routing driver follows the new leader; that leader switch is not modelled.
 */
import { WaitEpisode } from '../wait-episodes';
import { steeringParameters, World } from '../world';
import type { Operation } from './downtime';

export interface Member {
  readonly role: 'primary' | 'secondary';
  readonly writer: boolean;
}

export interface StackChange {
  readonly at: number;
  readonly before: Record<string, string>;
  readonly after: Record<string, string>;
}

/** Why the master's task is down after the last change, or undefined when it is not. */
export function masterRestart(changes: readonly StackChange[], waits: readonly WaitEpisode[], members: readonly Member[]): string | undefined {
  const last = changes[changes.length - 1];
  if (!last || members.filter((m) => m.role === 'primary').length !== 1) return undefined;
  const before = steeringParameters(last.before);
  const after = steeringParameters(last.after);
  const changed = Object.keys(after).filter((k) => before[k] !== after[k]);
  if (changed.length === 0) return undefined;
  if (waits.some((w) => w.handler === 'health-gate' && w.startedAt >= last.at && !w.pending())) return undefined;
  return `the master serves alone and its task restarts with new settings (${changed.map((k) => `${k}=${after[k]}`).join(' ')}) until the stage's health gate sees it Available`;
}

/** Why a routing driver would find no member for `op`, or undefined when it would route it. */
export function unroutable(op: Operation, members: readonly Member[], restart: string | undefined): string | undefined {
  const master = members.find((m) => m.writer);
  if (op === 'write') return !master ? 'no writer: the world has no booted master' : restart;
  if (members.length === 0) return 'no reader: the world has no booted member';
  return members.length === 1 && master ? restart : undefined;
}

/** The world's routing table, refreshed as a routing driver refreshes its own (here: often, it is cheap). */
export class WorldRouting {
  private members: Member[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly world: World, private readonly parameterNames: Record<string, string>, private readonly everyMs = 500) {}

  public async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => { this.refreshing ??= this.refresh().finally(() => { this.refreshing = undefined; }); }, this.everyMs);
  }

  public async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
  }

  /** undefined: routable; otherwise why not (a DERIVED failure). */
  public check(op: Operation): string | undefined {
    return unroutable(op, this.members, masterRestart(this.world.changes, this.world.waits(), this.members));
  }

  /** Time the waits have played on their clocks so far (ms). */
  public playedMs(): number {
    return this.world.waits().reduce((sum, w) => sum + w.playedMs(), 0);
  }

  private async refresh(): Promise<void> {
    try {
      this.members = (await this.world.members(this.parameterNames)).members;
    } catch {
      // A failed look keeps the last table, as a routing driver does until its next refresh.
    }
  }
}
