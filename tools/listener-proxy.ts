/**
 * A small real TCP proxy that plays the client endpoint's Network Load Balancer in tests: it reads the
 * listener's forward action from (moto's) ELBv2 every `followEveryMs` and sends each new connection to the
 * server behind a target group the listener forwards to. A weighted forward (several target groups with
 * weights) is followed per connection by smooth weighted round robin: deterministic, so 25/75 sends exactly
 * one of every four new connections to the first group. Like a Network Load Balancer, a connection stays
 * on the server it reached until it closes; only new connections follow a switch.
 */
import * as net from 'node:net';
import { Action, DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
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
  /** The target group with the largest weight (the only one unless the forward is weighted). */
  current(): string | undefined;
  /** The forward's weights by target group now. */
  weights(): Record<string, number>;
  /** When the followed forward changed (ms epoch): its heaviest target group and its weights, in order. */
  readonly changes: { targetGroupArn: string; weights: Record<string, number>; at: number }[];
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
  const changes: { targetGroupArn: string; weights: Record<string, number>; at: number }[] = [];
  const connections: Record<string, number> = {};
  let weights: Record<string, number> = {};
  // Smooth weighted round robin's running credit per target group (reset when the weights change).
  let credit: Record<string, number> = {};
  const heaviest = () => Object.entries(weights).reduce<[string, number] | undefined>((a, e) => (!a || e[1] > a[1] ? e : a), undefined)?.[0];
  const follow = async () => {
    const listener = (await options.elb.send(new DescribeListenersCommand({ ListenerArns: [options.listenerArn] }))).Listeners?.[0];
    const now = forwardWeights(listener?.DefaultActions?.[0]);
    if (JSON.stringify(now) !== JSON.stringify(weights)) {
      weights = now;
      credit = {};
      const arn = heaviest();
      if (arn) changes.push({ targetGroupArn: arn, weights: now, at: Date.now() });
    }
  };
  /** The next connection's target group: each gains its weight, the richest is chosen and pays the total. */
  const pick = (): string | undefined => {
    const serving = Object.entries(weights).filter(([, w]) => w > 0);
    if (serving.length === 0) return undefined;
    const total = serving.reduce((a, [, w]) => a + w, 0);
    for (const [arn, w] of serving) credit[arn] = (credit[arn] ?? 0) + w;
    const [chosen] = serving.reduce((a, e) => (credit[e[0]] > credit[a[0]] ? e : a));
    credit[chosen] -= total;
    return chosen;
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
    const group = pick();
    const backend = group ? options.backends[group] : undefined;
    if (!backend || !group || group === held) { client.destroy(); return; }
    connections[group] = (connections[group] ?? 0) + 1;
    const upstream = net.connect(backend.port, backend.host);
    for (const s of [client, upstream]) { sockets.add(s); byGroup.set(s, group); s.on('close', () => { sockets.delete(s); byGroup.delete(s); }); }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  };
  const server = net.createServer((client) => {
    // A held colour refuses every connection; one that arrives just after a switch away from it must reach the
    // new colour, not the refusal (the following lags up to followEveryMs): read the listener again first.
    if (held === undefined || !(weights[held] > 0)) { route(client); return; }
    follow().catch(() => undefined).finally(() => route(client));
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  return {
    boltUri: `bolt://127.0.0.1:${port}`,
    current: heaviest,
    weights: () => ({ ...weights }),
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

/** A forward action's weights by target group: a plain TargetGroupArn is 1 on that group (ELBv2's default weight). */
function forwardWeights(action: Action | undefined): Record<string, number> {
  const tuples = action?.ForwardConfig?.TargetGroups;
  if (tuples?.length) return Object.fromEntries(tuples.map((t) => [t.TargetGroupArn ?? '', t.Weight ?? 1]));
  return action?.TargetGroupArn ? { [action.TargetGroupArn]: 1 } : {};
}
