/**
 * How `Neo4jRollingUpgrade` replaces each server (see docs/rolling-upgrade.md, "Replaceable resources").
 */
export class ServerReplacement {
  /**
   * Fixed servers (seed 001 5.3.2.1): each server restarts on its own instance and volume at the new image,
   * one at a time. The default; the template is the one before this option.
   */
  public static readonly IN_PLACE = new ServerReplacement('IN_PLACE');
  /**
   * Replaceable resources (seed 001 5.3.2.2): for each old server a new member starts in the cluster's spare
   * slot at the new image and joins before the old one's slot is retired (its volume renamed `-old` and
   * kept). Neo4j 5.x / 2025.x: the new server is enabled (`ENABLE SERVER`) and takes the old one's databases
   * (`DEALLOCATE DATABASES FROM SERVER`) before the old one is dropped. Neo4j 4.4: the new core joins
   * through discovery and copies every database; the old core leaves when it is stopped. Needs
   * `Neo4jCluster` `spareServerSlots: 1`.
   */
  public static readonly NEW_MEMBER_FIRST = new ServerReplacement('NEW_MEMBER_FIRST');

  private constructor(
    /** The option's name. */
    public readonly name: string,
  ) {}
}
