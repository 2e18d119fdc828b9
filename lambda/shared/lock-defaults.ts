/** How long the upgrade lock lives without a release, unless the execution input says otherwise (2 days). */
export const DEFAULT_LOCK_TTL_SECONDS = 172800;
