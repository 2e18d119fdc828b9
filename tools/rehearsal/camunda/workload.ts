/**
 * The client workload through HAProxy: deploys the process once, then workers start instances and complete
 * the user task of instances they started a little earlier (so an instance may start on one engine version
 * and complete on another). Every request is counted once: served (2xx) or failed (anything else, a network
 * error included). No retries: a failed request stays failed.
 */
export interface Request {
  readonly at: number;
  readonly kind: 'deploy' | 'start' | 'tasks' | 'complete';
  readonly ok: boolean;
  readonly status: number;
  readonly version?: string;
  readonly node?: string;
  readonly error?: string;
}

export interface Instance {
  readonly id: string;
  readonly startedAt: number;
  readonly startedOn: string;
  readonly startedPhase: 'before' | 'during' | 'after';
  completedAt?: number;
  completedOn?: string;
}

export class Workload {
  public readonly requests: Request[] = [];
  public readonly instances: Instance[] = [];
  public phase: 'before' | 'during' | 'after' = 'before';
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(private readonly url: string, private readonly completeAfterMs = 2_000, private readonly pauseMs = 40) {}

  private async call(kind: Request['kind'], method: string, path: string): Promise<Record<string, unknown> | undefined> {
    const at = Date.now();
    try {
      const res = await fetch(`${this.url}${path}`, { method, signal: AbortSignal.timeout(30_000) });
      const body = await res.json().catch(() => ({})) as Record<string, unknown>;
      this.requests.push({ at, kind, ok: res.ok, status: res.status, version: body.version as string, node: body.node as string, ...(!res.ok && { error: String(body.error ?? res.statusText) }) });
      return res.ok ? body : undefined;
    } catch (e) {
      this.requests.push({ at, kind, ok: false, status: 0, error: String((e as Error).cause ?? (e as Error).message) });
      return undefined;
    }
  }

  public async deploy(): Promise<void> {
    if (!(await this.call('deploy', 'POST', '/deploy'))) throw new Error(`deploying the process through the load balancer failed: ${this.requests.at(-1)?.error}`);
  }

  public async startOne(): Promise<Instance | undefined> {
    const body = await this.call('start', 'POST', '/start');
    if (!body) return undefined;
    const instance: Instance = { id: String(body.instance), startedAt: Date.now(), startedOn: String(body.version), startedPhase: this.phase };
    this.instances.push(instance);
    return instance;
  }

  public async completeOne(instance: Instance): Promise<boolean> {
    const tasks = (await this.call('tasks', 'GET', `/tasks?instance=${encodeURIComponent(instance.id)}`))?.tasks as Array<{ id: string }> | undefined;
    if (!tasks?.length) return false;
    const done = await this.call('complete', 'POST', `/complete?task=${encodeURIComponent(tasks[0].id)}`);
    if (!done) return false;
    instance.completedAt = Date.now();
    instance.completedOn = String(done.version);
    return true;
  }

  /** `workers` loops, each owning the instances it starts (no two clients complete one task). */
  public run(workers = 2): void {
    this.running = true;
    this.loops = Array.from({ length: workers }, () => this.loop());
  }

  private async loop(): Promise<void> {
    const mine: Instance[] = [];
    while (this.running) {
      const started = await this.startOne();
      if (started) mine.push(started);
      const due = mine.find((i) => i.completedAt === undefined && Date.now() - i.startedAt >= this.completeAfterMs);
      if (due) await this.completeOne(due);
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  /** Stops the loops; then completes every instance still open (one pass; what stays open is reported). */
  public async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.phase = 'after';
    for (const i of this.instances) if (i.completedAt === undefined) await this.completeOne(i);
  }

  public summary(): { served: number; failed: number; byKind: Record<string, { served: number; failed: number }>; failures: Request[] } {
    const byKind: Record<string, { served: number; failed: number }> = {};
    for (const r of this.requests) {
      byKind[r.kind] ??= { served: 0, failed: 0 };
      byKind[r.kind][r.ok ? 'served' : 'failed']++;
    }
    const failures = this.requests.filter((r) => !r.ok);
    return { served: this.requests.length - failures.length, failed: failures.length, byKind, failures: failures.slice(0, 20) };
  }
}
