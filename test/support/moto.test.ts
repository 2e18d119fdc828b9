import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MotoServer, motoClientConfig, startMoto } from './moto';

describe('moto_server test support', () => {
  let moto: MotoServer;
  beforeAll(async () => { moto = await startMoto(); });
  afterAll(async () => { await moto?.stop(); });

  test('answers EC2 calls from the SDK', async () => {
    const ec2 = new EC2Client(motoClientConfig(moto));
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(zones.AvailabilityZones?.map((z) => z.ZoneName)).toContain('us-east-1a');
  });
});
