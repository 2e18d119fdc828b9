import { RoleGate } from './role-gate';

/** How the servers of one role are upgraded: one entry of a {@link RoleOrder}. */
export interface RoleStep {
  /** The role's name, as the target's servers name it (e.g. `agents`). */
  readonly role: string;
  /** What must hold after each server of the role restarted on the new version. */
  readonly gate: RoleGate;
  /**
   * Switch the supervision to maintenance mode before the role's first server and back after its last.
   * @default false
   */
  readonly underMaintenance?: boolean;
}
