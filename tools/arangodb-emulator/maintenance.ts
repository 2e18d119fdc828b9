import { Clock } from './clock';

/** ArangoDB's default: `"on"` enables supervision maintenance for 60 minutes. */
export const DEFAULT_MAINTENANCE_SECONDS = 3600;

export type MaintenanceRequest = { readonly mode: 'off' } | { readonly mode: 'on'; readonly seconds: number };

/**
 * Parses the body of `PUT /_admin/cluster/maintenance` as documented
 * (https://docs.arango.ai/arangodb/3.12/develop/http-api/cluster/#set-the-cluster-maintenance-mode):
 * the JSON string "on" (60 minutes), "off", or a duration in seconds as a string ("7200"); ArangoDB's own
 * tests also send a bare number (666). Anything else is undefined (answered with 400).
 */
export function parseMaintenanceBody(raw: string): MaintenanceRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === 'off') return { mode: 'off' };
  if (value === 'on') return { mode: 'on', seconds: DEFAULT_MAINTENANCE_SECONDS };
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(seconds) && seconds > 0 ? { mode: 'on', seconds } : undefined;
}

/** The agency's supervision maintenance flag: set with an expiry, it lapses on its own. */
export class SupervisionMaintenance {
  private untilMs: number | undefined;

  constructor(private readonly clock: Clock) {}

  /** Epoch ms when maintenance lapses, or undefined when supervision runs normally. */
  get until(): number | undefined {
    if (this.untilMs !== undefined && this.clock.now() >= this.untilMs) this.untilMs = undefined;
    return this.untilMs;
  }

  get active(): boolean {
    return this.until !== undefined;
  }

  apply(request: MaintenanceRequest): void {
    this.untilMs = request.mode === 'on' ? this.clock.now() + request.seconds * 1000 : undefined;
  }
}

/** ISO 8601 without milliseconds, as ArangoDB prints the reactivation time. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
