/**
 * The `upgrade` command of bin/cli.ts. `npm run build` bundles this file with what it uses of lambda/
 * (validate-input's checks, the lock and approval records) into dist/bin/cli-upgrade.js, so the
 * installed package needs no dist/lambda; the AWS SDK clients stay external (runtime dependencies).
 */
export { UPGRADE_USAGE, runUpgradeCli } from './upgrade/upgrade-cli';
export type { UpgradeSeams } from './upgrade/upgrade-cli';
