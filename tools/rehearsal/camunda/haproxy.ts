/**
 * A real HAProxy (Debian's haproxy) in front of the engine nodes on a free loopback port: one backend server
 * slot per node (`be/<nodeId>`), all in maintenance at start; the load balancer follower puts a slot `ready`
 * on the address of the node's running JVM when the target group has its target, and in maintenance when
 * not, through the runtime API on a unix socket (no reload: a reload would start new processes and could
 * cut or duplicate connections). No HTTP retries and no redispatch: a request sent to a dead server fails.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort } from '../../free-port';

export const HAPROXY_INSTALL_HINT = 'haproxy not found: install it with apt-get install -y haproxy (scripts/setup.sh does as root)';

export class HaproxyFront {
  public static async start(dir: string, nodeIds: readonly string[]): Promise<HaproxyFront> {
    if (spawnSync('sh', ['-c', 'command -v haproxy']).status !== 0) throw new Error(HAPROXY_INSTALL_HINT);
    fs.mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const socket = path.join(dir, 'admin.sock');
    const config = path.join(dir, 'haproxy.cfg');
    fs.writeFileSync(config, [
      'global', `  stats socket ${socket} mode 600 level admin`, '  maxconn 512',
      'defaults', '  mode http', '  retries 0', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s',
      'frontend engines', `  bind 127.0.0.1:${port}`, '  default_backend be',
      'backend be', '  balance roundrobin',
      // Port 1 is a placeholder: the follower sets each slot's address before it makes it ready.
      ...nodeIds.map((id) => `  server ${id} 127.0.0.1:1 disabled`),
      '',
    ].join('\n'));
    const log = fs.openSync(path.join(dir, 'haproxy.log'), 'a');
    const child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const front = new HaproxyFront(port, socket, child);
    for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    if (!fs.existsSync(socket)) throw new Error(`haproxy did not open its runtime socket (see ${path.join(dir, 'haproxy.log')})`);
    return front;
  }

  private constructor(public readonly port: number, private readonly socket: string, private readonly child: ChildProcess) {}

  public get url(): string { return `http://127.0.0.1:${this.port}`; }

  /** One runtime API command; its answer. */
  public command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const c = net.createConnection(this.socket);
      let out = '';
      c.on('connect', () => c.end(`${line}\n`));
      c.on('data', (d) => { out += d; });
      c.on('error', reject);
      c.on('close', () => resolve(out.trim()));
    });
  }

  public async ready(nodeId: string, port: number): Promise<void> {
    await this.command(`set server be/${nodeId} addr 127.0.0.1 port ${port}`);
    await this.command(`set server be/${nodeId} state ready`);
  }

  public async maint(nodeId: string): Promise<void> {
    await this.command(`set server be/${nodeId} state maint`);
  }

  /** Per server slot: its current sessions (in-flight requests) and its status. */
  public async servers(): Promise<Map<string, { sessions: number; status: string }>> {
    const csv = (await this.command('show stat')).split('\n');
    const header = csv[0].replace(/^# /, '').split(',');
    const col = (name: string) => header.indexOf(name);
    const out = new Map<string, { sessions: number; status: string }>();
    for (const line of csv.slice(1)) {
      const f = line.split(',');
      if (f[col('pxname')] !== 'be' || f[col('svname')] === 'BACKEND') continue;
      out.set(f[col('svname')], { sessions: Number(f[col('scur')]), status: f[col('status')] });
    }
    return out;
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await gone;
  }
}
