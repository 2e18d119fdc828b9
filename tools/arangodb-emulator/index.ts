/** An emulator of the ArangoDB cluster HTTP API the role-ordered upgrade calls; see README.md. */
export { ArangoEmulator } from './emulator';
export type { ArangoEmulatorOptions, RunResult } from './emulator';
export { superuserJwt } from './auth';
export { ManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export { ARANGOD_EXIT, exitCodeName } from './exit-codes';
export type { ServerFaults } from './faults';
export { DEFAULT_MAINTENANCE_SECONDS } from './maintenance';
export { FAILED_AFTER_MS } from './cluster-health';
export { EmulatorInputError } from './versions';
