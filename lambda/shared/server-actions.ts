import { RoleOrderedServer } from './role-ordered-context';

/** Where a process action on one server stands; `done: false` means ask again later (polled). */
export interface ServerRun {
  readonly done: boolean;
  /** The process's exit code once it ended (a one-off run), or a start that was refused. */
  readonly exitCode?: number;
  readonly detail?: string;
}

/**
 * The process actions of seed 003 on one server: stop it, run the new version once with
 * `--database.auto-upgrade=true` on its own data, start it normally with an image. Each is idempotent and
 * answers `done: false` until it has happened. Production: ECS (ecs-server-actions.ts).
 */
export interface ServerActions {
  /** The image the server runs (or ran last). */
  currentImage(server: RoleOrderedServer): Promise<string>;
  stop(server: RoleOrderedServer): Promise<ServerRun>;
  /** `runId` names this run so a repeated call finds it instead of starting another. */
  runAutoUpgrade(server: RoleOrderedServer, image: string, runId: string): Promise<ServerRun>;
  start(server: RoleOrderedServer, image: string): Promise<ServerRun>;
}

/** The flag that turns a normal start into the one-off upgrade run of the data directory. */
export const AUTO_UPGRADE_FLAG = '--database.auto-upgrade=true';

/** What ECS's `startedBy` takes: up to 128 letters, digits, `-`, `/`, `_`. */
const startedBySafe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The name of the one upgrade run of a server in one execution (`upgrade/<execution>/<server>`). */
export function upgradeRunId(shortExecution: string, serverId: string): string {
  return `upgrade/${startedBySafe(shortExecution)}/${startedBySafe(serverId)}`.slice(0, 128);
}

/** Whether a task's `startedBy` names an upgrade run of this server (of any execution). */
export function isUpgradeRunOf(startedBy: string | undefined, serverId: string): boolean {
  const parts = (startedBy ?? '').split('/');
  return parts.length === 3 && parts[0] === 'upgrade' && startedBy === upgradeRunId(parts[1], serverId);
}
