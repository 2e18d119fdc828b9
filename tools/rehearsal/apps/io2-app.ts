#!/usr/bin/env node
/** The rehearsal's example app on io2 data volumes (16000 IOPS): `cli.ts --app tools/rehearsal/apps/io2-app.ts`. */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { provisionedIopsApp } from './provisioned-iops';

provisionedIopsApp(ec2.EbsDeviceVolumeType.IO2, 16000).synth();
