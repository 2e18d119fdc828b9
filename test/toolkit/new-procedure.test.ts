/**
 * The "write a new procedure" walkthrough of docs/architecture.md, executed: a procedure of two stages
 * built only from the library's exported blocks (test/toolkit/image-roll-upgrade.ts) synthesizes, passes
 * asl-validator and cdk-nag, and rehearses end to end (moto_server, the claim script, the real handlers,
 * a real Neo4j upgraded in place). Needs what the rehearsal needs (moto_server, aws CLI, JDK 21+, Maven).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NEO4J_NEWEST_VERSION } from '../../tools/neo4j-embedded';
import { RehearsalReport, rehearse } from '../../tools/rehearsal';
import { unacknowledgedNagFindings } from '../support/nag';
import { resolvedDefinition } from '../support/state-machine-definition';
import { imageRollApp } from './image-roll-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

describe('a new two-stage procedure from exported blocks', () => {
  const template = Template.fromStack(imageRollApp(new App()));
  const { definition } = resolvedDefinition(template.toJSON());

  test('synthesizes a valid definition with exactly its two stages', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(Object.keys(definition.States).filter((n) => n.endsWith(': begin')))
      .toEqual(['Stage 1 Roll the image: begin', 'Stage 2 Back up the upgraded volumes: begin']);
  });

  test('deploys only the handlers it uses (and the operations ones: cleanup of executions stopped without their Catch, stage events, progress probe)', () => {
    const described = Object.values<any>(template.findResources('AWS::Lambda::Function'))
      .map((f) => String(f.Properties.Description).replace('cdk-neo4j-ecs-upgrades: ', '')).sort();
    expect(described).toEqual([
      'check-input-size', 'check-stack-ready', 'ecs-services-steady', 'execution-cleanup', 'execution-progress', 'health-gate', 'keep-master',
      'publish-result', 'restore-volumes', 'snapshot-volumes', 'snapshots-complete', 'stack-parameters', 'stack-status', 'stage-events',
      'update-stack', 'upgrade-lock', 'validate-input',
    ]);
  });

  test('passes cdk-nag AwsSolutions with every acknowledgement reasoned', () => {
    const app = new App();
    imageRollApp(app);
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  describe('rehearsed end to end', () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-image-roll-'));
    let report: RehearsalReport;
    beforeAll(async () => {
      report = await rehearse({ app: path.join(__dirname, 'image-roll-app.ts'), outDir, progress: () => undefined });
    }, 20 * 60_000);
    afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

    test('both stages succeed on the new image, nothing lost, the lock released', () => {
      expect({ ok: report.ok, verdict: report.verdict }).toEqual({ ok: true, verdict: [] });
      expect(report.stages?.map((s) => [s.name, s.status])).toEqual([
        ['Stage 1 Roll the image', 'succeeded'], ['Stage 2 Back up the upgraded volumes', 'succeeded'],
      ]);
      expect(report.finalParameters?.DockerImage).toBe(`neo4j:${NEO4J_NEWEST_VERSION}-enterprise`);
      expect(report.volumes?.deleted).toEqual([]);
      expect(report.snapshots?.postUpgrade.length).toBe(3);
    });
  });
});

test('docs/architecture.md shows the walkthrough procedure as it is', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'architecture.md'), 'utf8');
  const code = fs.readFileSync(path.join(__dirname, 'image-roll-upgrade.ts'), 'utf8');
  expect(doc).toContain('```ts\n' + code + '```');
});
