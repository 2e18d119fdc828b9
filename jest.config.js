const fs = require('node:fs');
const path = require('node:path');

// scripts/setup.sh installs the Python tools it did not find here (as tools/project-tools.ts says); the
// test workers, and every process they start, find them first.
const projectTools = path.join(__dirname, '.tools', 'venv', 'bin');
if (fs.existsSync(projectTools)) process.env.PATH = `${projectTools}${path.delimiter}${process.env.PATH}`;

// aws-cdk-lib's built-in CloudFormation validation (a WebAssembly engine: ~14 s to start in each worker, then
// seconds per template) would run on every synthesis of every test, and on the rehearsals' `cdk synth`: it
// doubled the CPU of synth-heavy suites. test/app/cloudformation-validation.test.ts runs it on one app of
// each procedure, as do `npm run synth` and `npm run rehearse`.
process.env.CDK_VALIDATION = 'false';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once in `npm run typecheck`; jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.js'],
  // Without recorded durations (a clean checkout), the suites that run for minutes start first.
  testSequencer: '<rootDir>/test/support/heavy-first-sequencer.js',
  testTimeout: 120000,
  maxWorkers: 2,
  // A worker that holds more than this after a test file is replaced: synthesizing many apps in one worker
  // (every procedure's tests) otherwise grows its heap until it crashes ("Jest worker ran out of memory").
  workerIdleMemoryLimit: '1500MB',
};
