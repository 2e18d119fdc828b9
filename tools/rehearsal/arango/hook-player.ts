/**
 * Plays the operator's hook functions (lib/role-ordered/auxiliary-hook.ts) in the rehearsal: DC2DC
 * replication and automatic restarts are switches that the hooks flip, recorded in order. Simulated: the
 * emulator models neither arangosync nor the starter and systemd.
 */
export interface HookSwitches {
  /** Per hook (the function's description), 'stopped' after `stop`, 'running' after `restore`. */
  readonly state: Record<string, 'running' | 'stopped'>;
  readonly history: Array<{ hook: string; action: string; at: number }>;
}

export function newHookSwitches(hooks: string[]): HookSwitches {
  return { state: Object.fromEntries(hooks.map((h) => [h, 'running' as const])), history: [] };
}

export function playHook(switches: HookSwitches, hook: string, payload: { action?: unknown }): { action: string } {
  const action = String(payload?.action);
  if (action !== 'stop' && action !== 'restore') throw new Error(`hook ${hook} got action ${JSON.stringify(payload?.action)}`);
  switches.state[hook] = action === 'stop' ? 'stopped' : 'running';
  switches.history.push({ hook, action, at: Date.now() });
  return { action };
}
