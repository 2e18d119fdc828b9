/**
 * The rehearsal's example app with data volumes of a provisioned-IOPS type (io1, io2): the type that
 * made stage 6 fail before clones carried their source's IOPS. Entry points: io1-app.ts, io2-app.ts.
 */
import { App } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { exampleStack } from '../../../bin/example-stack';
import { Neo4jVersionFamily } from '../../../lib';
import { NEO4J_LTS_VERSION } from '../../neo4j-embedded';

export function provisionedIopsApp(volumeType: ec2.EbsDeviceVolumeType, iops: number): App {
  const app = new App();
  exampleStack(app, {
    stackName: `Neo4jRehearsal${volumeType.toUpperCase()}`,
    description: `Neo4j 5 cluster on ECS with ${volumeType} data volumes (cdk-neo4j-ecs-upgrades local rehearsal)`,
    dockerImage: `neo4j:${NEO4J_LTS_VERSION}-enterprise`,
    versionFamily: Neo4jVersionFamily.V5,
    environmentName: `rehearsal-${volumeType}`,
    dataVolume: { volumeType, iops, sizeGiB: 200 },
  });
  return app;
}
