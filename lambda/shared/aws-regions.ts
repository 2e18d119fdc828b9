/**
 * The AWS regions there are (2026), by partition. validate-input refuses a clone region outside this
 * list before the upgrade starts: a misspelt region would otherwise fail only at the volume copy, after
 * the point of no return. A region AWS opens later must be added here.
 */
export const AWS_REGIONS: Readonly<Record<string, readonly string[]>> = {
  'aws': [
    'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2',
    'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
    'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1',
    'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1',
    'us-east-2', 'us-west-1', 'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};

/** The partition a known region belongs to, or undefined for a name that is no AWS region. */
export function partitionOf(region: string): string | undefined {
  return Object.keys(AWS_REGIONS).find((p) => AWS_REGIONS[p].includes(region));
}
