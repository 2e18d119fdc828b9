/**
 * One engine node's JVM (CamundaNode on the jars of one camunda-engine version) on a free loopback port.
 * `stop` is what ECS does to a task: SIGTERM, then SIGKILL after a grace period.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../free-port';

export interface EngineHealth {
  readonly ok: boolean;
  readonly status: number;
  readonly version?: string;
}

export class EngineProcess {
  public static async start(options: {
    nodeId: string; version: string; classpath: string; classDir: string; jdbcUrl: string; jdbcUser: string; logDir: string;
    /** false: the engine's job executor stays off (its /health never passes). */
    jobExecutor?: boolean;
  }): Promise<EngineProcess> {
    const port = await freePort();
    fs.mkdirSync(options.logDir, { recursive: true });
    const log = fs.openSync(path.join(options.logDir, `${options.nodeId}-${options.version}-${port}.log`), 'a');
    const child = spawn('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-Xshare:auto', '-cp', `${options.classDir}:${options.classpath}`, 'CamundaNode'], {
      env: { ...process.env, NODE_ID: options.nodeId, PORT: String(port), JDBC_URL: options.jdbcUrl, JDBC_USER: options.jdbcUser, ENGINE_VERSION: options.version, JOB_EXECUTOR: options.jobExecutor === false ? 'off' : 'on' },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    return new EngineProcess(options.nodeId, options.version, port, child);
  }

  private exited = false;

  private constructor(public readonly nodeId: string, public readonly version: string, public readonly port: number, private readonly child: ChildProcess) {
    child.on('exit', () => { this.exited = true; });
  }

  public get running(): boolean { return !this.exited; }

  /** The engine-level check: the engine answers a query and its job executor is active (CamundaNode's /health). */
  public async health(): Promise<EngineHealth> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/health`, { signal: AbortSignal.timeout(2000) });
      const body = await res.json() as { version?: string };
      return { ok: res.status === 200, status: res.status, version: body.version };
    } catch {
      return { ok: false, status: 0 };
    }
  }

  /** Polls the health until it passes (`answering`: until the front answers at all); throws when the JVM exits or `timeoutMs` passes. */
  public async healthy(timeoutMs: number, answering = false): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.running) throw new Error(`engine ${this.nodeId} (${this.version}) exited before it was healthy`);
      const health = await this.health();
      if (health.ok || (answering && health.status !== 0)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`engine ${this.nodeId} (${this.version}) not healthy within ${timeoutMs} ms`);
  }

  public async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
