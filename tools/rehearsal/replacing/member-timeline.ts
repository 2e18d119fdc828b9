/**
 * What both membership models of the replacing world (member-cluster.ts for 5.x, causal-member-cluster.ts
 * for 4.4) keep alike: the server number behind each address, the per-server timeline the verdict reads,
 * and the store copy (store-copy.ts, SIMULATED) that holds a new member's `starting` copy until the harness
 * has copied the data, then releases it to the emulator.
 */
import type { MemberClusterOptions, MemberEvent } from './member-cluster';

/** A member as the emulators list it: its address and its database copies. */
interface ListedMember {
  readonly address: string;
  readonly copies: ReadonlyMap<string, { status: string; stuck: boolean }>;
}

export abstract class MemberTimeline {
  public readonly events: MemberEvent[] = [];
  /** Store copies that failed (the copy stays `starting`). */
  public readonly errors: string[] = [];
  protected readonly indexAt = new Map<string, number>();
  private readonly copying = new Set<object>();
  private writerIndex: number | undefined;

  constructor(protected readonly options: MemberClusterOptions) {}

  public indexOf(address: string): number | undefined {
    return this.indexAt.get(address);
  }

  public addressOf(index: number): string | undefined {
    return [...this.indexAt].reverse().find(([, i]) => i === index)?.[0]; // a reused slot: its newest member
  }

  /** The servers hosting `database` online now, by number. */
  public abstract hosting(database?: string): number[];

  /** Each new `starting` copy: held there until the harness has copied the data, then released to the emulator. */
  protected startCopies(members: Iterable<ListedMember>): void {
    for (const member of members) {
      const to = this.indexAt.get(member.address);
      for (const [database, copy] of member.copies) {
        // A copy already stuck is a world fault (holdStarting): never released here.
        if (copy.status !== 'starting' || copy.stuck || this.copying.has(copy) || to === undefined) continue;
        this.copying.add(copy);
        copy.stuck = true;
        const from = this.hosting(database).filter((i) => i !== to);
        this.event(to, 'copy-started', `${database} from ${from.join(', ')}`);
        this.options.copyStore(from, to, database).then(
          () => { copy.stuck = false; this.event(to, 'copy-online', database); },
          (e: Error) => { this.errors.push(`store copy of ${database} to server ${to}: ${e.message.slice(0, 300)}`); },
        );
      }
    }
  }

  /** The writer (SIMULATED leader) is `next` now: a change is an event. */
  protected noteWriter(next: number | undefined): number | undefined {
    if (next !== this.writerIndex) {
      this.writerIndex = next;
      if (next !== undefined) this.event(next, 'writer');
    }
    return next;
  }

  /** The writer as last noted. */
  protected get lastWriter(): number | undefined {
    return this.writerIndex;
  }

  protected event(server: number, what: MemberEvent['what'], detail?: string): void {
    this.events.push({ server, what, at: Date.now(), ...(detail && { detail }) });
    this.options.say?.(`cluster: server ${server} ${what}${detail ? ` (${detail})` : ''}`);
  }
}
