import type { VolumeType } from '@aws-sdk/client-ec2';

export interface VolumeProvisioning {
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
}

const IOPS_TYPES = ['gp3', 'io1', 'io2'];

/**
 * CreateVolume parameters that reproduce a volume's type and performance. DescribeVolumes reports
 * Iops for gp2 too (its baseline), but CreateVolume rejects Iops for gp2/st1/sc1/standard and
 * Throughput for anything but gp3, so only the settable ones are passed. Default type: gp3.
 */
export function provisioningParams(p: VolumeProvisioning): { VolumeType: VolumeType; Iops?: number; Throughput?: number } {
  const type = (p.volumeType || 'gp3') as VolumeType;
  return {
    VolumeType: type,
    ...(p.iops !== undefined && IOPS_TYPES.includes(type) ? { Iops: p.iops } : {}),
    ...(p.throughput !== undefined && type === 'gp3' ? { Throughput: p.throughput } : {}),
  };
}
