import { EmulatorInputError } from './versions';

/** Faults a server can play; set through the options or `PUT /_emulator/servers/{id}/faults`. */
export interface ServerFaults {
  /** After its next start, an agent or DB server stays out of sync for this many reads of the agency config
   *  (agents) or the cluster inventory (DB servers); 'forever': it never comes back in sync. */
  readonly outOfSyncAfterRestart?: number | 'forever';
  /** Every `--database.auto-upgrade=true` run exits with this code and leaves the store as it was. */
  readonly autoUpgradeExitCode?: number;
  /** A coordinator answers its next N calls of ArangoDB's API with 503. */
  readonly unavailableCalls?: number;
}

function wholeNumber(value: unknown, min: number): boolean {
  return Number.isInteger(value) && (value as number) >= min;
}

/** Checks faults given over HTTP; the error names the field and the value. */
export function validateFaults(where: string, value: unknown): ServerFaults {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EmulatorInputError(`${where} must be an object of faults, got ${JSON.stringify(value)}`);
  }
  const checks: Record<string, (v: unknown) => boolean> = {
    outOfSyncAfterRestart: (v) => v === 'forever' || wholeNumber(v, 0),
    autoUpgradeExitCode: (v) => wholeNumber(v, 1) && (v as number) <= 255,
    unavailableCalls: (v) => wholeNumber(v, 0),
  };
  for (const [key, v] of Object.entries(value)) {
    const check = checks[key];
    if (!check) throw new EmulatorInputError(`${where}.${key} is not a fault; known: ${Object.keys(checks).join(', ')}`);
    if (v !== undefined && !check(v)) throw new EmulatorInputError(`${where}.${key} has an invalid value ${JSON.stringify(v)}`);
  }
  return value as ServerFaults;
}
