#!/usr/bin/env node
/** The rehearsal's example app on io1 data volumes (5000 IOPS): `cli.ts --app tools/rehearsal/apps/io1-app.ts`. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { provisionedIopsApp } from './provisioned-iops';

provisionedIopsApp(ec2.EbsDeviceVolumeType.IO1, 5000).synth();
