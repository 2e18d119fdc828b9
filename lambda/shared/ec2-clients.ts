import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';

/** The region the Lambda runs in (and the cluster lives in). */
export function homeRegion(): string {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  return region;
}

/** One EC2 client per region, created on first use and kept for the container's life. */
export function ec2ClientsByRegion(): (region: string) => EC2Client {
  const clients = new Map<string, EC2Client>();
  return (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new EC2Client({ region });
      clients.set(region, client);
    }
    return client;
  };
}

/** The clients the volume and instance tasks use, in the home region, plus EC2 in any region. */
export interface AwsDeps {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly ec2ForRegion: (region: string) => EC2Client;
}

export function makeAwsDeps(): AwsDeps {
  const region = homeRegion();
  const ec2ForRegion = ec2ClientsByRegion();
  return { region, ec2: ec2ForRegion(region), autoScaling: new AutoScalingClient({ region }), ec2ForRegion };
}
