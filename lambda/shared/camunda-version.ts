/** A Camunda 7 version (`7.23.0`, or `7.24` for a minor) as the schema log and image tags write it. */
export interface CamundaVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-[A-Za-z0-9_.-]+)?$/;

/** Parses `7.23.0`, `7.23` or `7.23.0-ee`; undefined when the text is no version. */
export function parseCamundaVersion(text: string | undefined): CamundaVersion | undefined {
  const m = text === undefined ? null : VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareCamundaVersions(a: CamundaVersion, b: CamundaVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `7.23` */
export function minorOf(v: CamundaVersion): string {
  return `${v.major}.${v.minor}`;
}
