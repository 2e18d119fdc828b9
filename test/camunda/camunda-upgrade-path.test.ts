import { camundaStep, pinnedCamundaVersion } from '../../lambda/shared/camunda-upgrade-path';
import { parseCamundaVersion } from '../../lambda/shared/camunda-version';

const v = (text: string) => parseCamundaVersion(text)!;

describe('seed 002 version path', () => {
  test('the next minor is a minor step (schema first), a patch within a minor is a patch step', () => {
    expect(camundaStep(v('7.23.0'), v('7.24.0'))).toBe('minor');
    expect(camundaStep(v('7.23.2'), v('7.24.5'))).toBe('minor');
    expect(camundaStep(v('7.23.0'), v('7.23.7'))).toBe('patch');
  });

  test('7.22 -> 7.24 is refused (a skipped minor), naming both versions and the minor to take first', () => {
    expect(() => camundaStep(v('7.22.0'), v('7.24.0')))
      .toThrow('7.22.0 -> 7.24.0 skips 1 minor version(s): upgrade one minor at a time (7.23 first)');
  });

  test('any downgrade is refused, a patch downgrade too; the same version and a major step as well', () => {
    expect(() => camundaStep(v('7.24.0'), v('7.23.0'))).toThrow('7.24.0 -> 7.23.0 is a downgrade');
    expect(() => camundaStep(v('7.23.3'), v('7.23.2'))).toThrow('7.23.3 -> 7.23.2 is a downgrade');
    expect(() => camundaStep(v('7.23.0'), v('7.23.0'))).toThrow('the fleet already runs 7.23.0: nothing to upgrade');
    expect(() => camundaStep(v('7.24.0'), v('8.0.0'))).toThrow('changes the major version');
  });

  test('only an image whose tag names the whole version is pinned', () => {
    expect(pinnedCamundaVersion('camunda/camunda-bpm-platform:7.24.0', 'toImage')).toEqual({ major: 7, minor: 24, patch: 0 });
    expect(pinnedCamundaVersion('registry.example.com/camunda:7.24.1-ee', 'toImage')).toEqual({ major: 7, minor: 24, patch: 1 });
    expect(pinnedCamundaVersion('camunda/camunda-bpm-platform:run-7.24.0', 'toImage')).toEqual({ major: 7, minor: 24, patch: 0 });
    for (const image of ['camunda/camunda-bpm-platform', 'camunda/camunda-bpm-platform:latest', 'camunda/camunda-bpm-platform:7.24', 'camunda/camunda-bpm-platform:run',
      'camunda/camunda-bpm-platform:run-7.24']) {
      expect(() => pinnedCamundaVersion(image, 'toImage')).toThrow(`toImage ${JSON.stringify(image)} is not pinned`);
    }
    expect(() => pinnedCamundaVersion('Not An Image', 'toImage')).toThrow('toImage must be a container image reference, got "Not An Image"');
  });
});
