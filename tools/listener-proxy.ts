/**
 * A small real TCP proxy that plays the client endpoint's Network Load Balancer in tests: it reads the
 * listener's forward action from (moto's) ELBv2 every `followEveryMs` and sends each new connection to the
 * server behind the target group the listener forwards to. Like a Network Load Balancer, a connection
 * stays on the server it reached until it closes; only new connections follow a switch.
 */
import * as net from 'node:net';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { freePort } from './free-port';

export interface ListenerProxyOptions {
  readonly elb: ElasticLoadBalancingV2Client;
  readonly listenerArn: string;
  /** Target group ARN -> the server behind it. */
  readonly backends: Readonly<Record<string, { host: string; port: number }>>;
  /** Default 100 ms. */
  readonly followEveryMs?: number;
}

export interface ListenerProxy {
  /** bolt://127.0.0.1:PORT */
  readonly boltUri: string;
  /** The target group new connections go to now. */
  current(): string | undefined;
  /** When the followed target group last changed (ms epoch), by target group, in order. */
  readonly changes: { targetGroupArn: string; at: number }[];
  /** Connections accepted per target group. */
  readonly connections: Record<string, number>;
  /**
   * Refuses the server behind a target group: its open connections close and new ones are refused until
   * `unhold()` (a harness seam standing in for a server that refuses writes, e.g. a write freeze).
   */
  hold(targetGroupArn: string): void;
  unhold(): void;
  stop(): Promise<void>;
}

export async function startListenerProxy(options: ListenerProxyOptions): Promise<ListenerProxy> {
  const changes: { targetGroupArn: string; at: number }[] = [];
  const connections: Record<string, number> = {};
  let current: string | undefined;
  const follow = async () => {
    const listener = (await options.elb.send(new DescribeListenersCommand({ ListenerArns: [options.listenerArn] }))).Listeners?.[0];
    const action = listener?.DefaultActions?.[0];
    const arn = action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
    if (arn !== current) {
      current = arn;
      if (arn) changes.push({ targetGroupArn: arn, at: Date.now() });
    }
  };
  await follow();
  let following = false;
  const timer = setInterval(() => {
    if (following) return;
    following = true;
    follow().catch(() => undefined).finally(() => { following = false; });
  }, options.followEveryMs ?? 100);
  timer.unref();

  const sockets = new Set<net.Socket>();
  const byGroup = new Map<net.Socket, string>();
  let held: string | undefined;
  const route = (client: net.Socket) => {
    const backend = current ? options.backends[current] : undefined;
    if (!backend || !current || current === held) { client.destroy(); return; }
    connections[current] = (connections[current] ?? 0) + 1;
    const upstream = net.connect(backend.port, backend.host);
    for (const s of [client, upstream]) { sockets.add(s); byGroup.set(s, current); s.on('close', () => { sockets.delete(s); byGroup.delete(s); }); }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  };
  const server = net.createServer((client) => {
    // A held colour refuses every connection; one that arrives just after a switch away from it must reach the
    // new colour, not the refusal (the following lags up to followEveryMs): read the listener again first.
    if (current !== held) { route(client); return; }
    follow().catch(() => undefined).finally(() => route(client));
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  return {
    boltUri: `bolt://127.0.0.1:${port}`,
    current: () => current,
    changes,
    connections,
    hold: (targetGroupArn) => {
      held = targetGroupArn;
      for (const [s, group] of byGroup) if (group === targetGroupArn) s.destroy();
    },
    unhold: () => { held = undefined; },
    stop: async () => {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
