import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/** The EBS volumes that hold Neo4j's data, one per node, claimed by tag at boot. */
export interface DataVolumeOptions {
  /**
   * The `Name` tag nodes claim. Renaming a volume (e.g. to `<name>-old`) takes it out of the pool.
   * @default - `neo4j-<environmentName>-data`
   */
  readonly name?: string;
  /**
   * Size of a volume a node creates when none is available, in GiB (gp3: 1 to 65536).
   * @default 100
   */
  readonly sizeGiB?: number;
  /**
   * Volume type of created volumes.
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;
  /**
   * Provisioned IOPS (gp3: 3000 to 80000; io1: 100 to 64000; io2: 100 to 256000).
   * @default - the volume type's baseline (3000 for gp3); required for io1 and io2
   */
  readonly iops?: number;
  /**
   * Provisioned throughput in MiB/s (gp3 only, 125 to 2000, at most 0.25 per IOPS).
   * @default - the gp3 baseline, 125 MiB/s
   */
  readonly throughputMiBps?: number;
  /**
   * Whether created volumes are encrypted.
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * KMS key for encryption.
   * @default - the AWS managed key for EBS
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Where the host mounts the volume; the Neo4j container's `/data` maps to it.
   * @default /var/lib/neo4j-data
   */
  readonly mountPoint?: string;
}
