/**
 * arangod exit codes the emulator plays, from ArangoDB's list of exit codes
 * (https://docs.arango.ai/arangodb/3.12/develop/exit-codes/, generated from lib/Basics/exitcodes.dat).
 * Note: before v3.10.13/v3.11.7 some of these fatal errors exited with the generic 1 (release notes
 * "Exit code adjustments"); the emulator always answers with the specific code.
 */
export const ARANGOD_EXIT = {
  EXIT_SUCCESS: 0,
  EXIT_FAILED: 1,
  /** "Will be returned when the database upgrade failed". */
  EXIT_UPGRADE_FAILED: 10,
  /** "Will be returned when a database upgrade is required" (started without --database.auto-upgrade). */
  EXIT_UPGRADE_REQUIRED: 11,
  /** The data directory was written by a newer version than the binary. */
  EXIT_DOWNGRADE_REQUIRED: 12,
  /** "could not lock - another process could be running" (the data directory is in use). */
  EXIT_COULD_NOT_LOCK: 22,
} as const;

export type ArangodExitCode = (typeof ARANGOD_EXIT)[keyof typeof ARANGOD_EXIT];

export function exitCodeName(code: number): string {
  const entry = Object.entries(ARANGOD_EXIT).find(([, value]) => value === code);
  return entry ? entry[0] : `EXIT_${code}`;
}
