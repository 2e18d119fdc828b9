/**
 * Settings that only Enterprise clustering declares, so embedded Community cannot check them: its config
 * would refuse them as unknown under strict validation, on EVERY version. They are checked here by name
 * (is the setting known to the running version?) and value, never applied; everything else goes to the
 * real server with strict validation on. Only the settings the library's version families use are listed:
 * add one when a family starts using it.
 *
 * Sources: Neo4j Operations Manual, configuration settings reference (5.x, current), and "Changes,
 * deprecations, and removals in Neo4j 2025.x": discovery service v1 (and with it
 * `dbms.cluster.discovery.endpoints`) is removed in 2025.01; `dbms.cluster.discovery.v2.endpoints` (5.22)
 * is renamed `dbms.cluster.endpoints` in 2025.01 and still read.
 */
import { compareNeo4jVersions } from './versions';

export interface EnterpriseSetting {
  readonly name: string;
  /** First version that knows it. */
  readonly since: string;
  /** First version that no longer knows it. */
  readonly removedIn?: string;
  /** Valid values. */
  readonly values: RegExp;
  readonly valuesText: string;
}

const ENDPOINTS = /^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/;
const ENDPOINTS_TEXT = 'a comma-separated list of host:port';

export const ENTERPRISE_SETTINGS: readonly EnterpriseSetting[] = [
  { name: 'initial.server.mode_constraint', since: '5.0', values: /^(NONE|PRIMARY|SECONDARY)$/, valuesText: 'NONE, PRIMARY or SECONDARY' },
  { name: 'dbms.cluster.discovery.resolver_type', since: '5.0', values: /^(LIST|DNS|SRV|K8S)$/, valuesText: 'LIST, DNS, SRV or K8S' },
  { name: 'dbms.cluster.discovery.endpoints', since: '5.0', removedIn: '2025.01', values: ENDPOINTS, valuesText: ENDPOINTS_TEXT },
  { name: 'dbms.cluster.discovery.v2.endpoints', since: '5.22', values: ENDPOINTS, valuesText: ENDPOINTS_TEXT },
  { name: 'dbms.cluster.endpoints', since: '2025.01', values: ENDPOINTS, valuesText: ENDPOINTS_TEXT },
];

export interface SettingsSplit {
  /** For the real server (strict validation decides). */
  readonly forServer: Record<string, string>;
  /** Enterprise clustering settings the running version knows, with a valid value: checked by name only. */
  readonly checkedByName: Record<string, string>;
  /** Enterprise clustering settings the running version would refuse, with the reason. */
  readonly refused: Array<{ name: string; value: string; reason: string }>;
}

/** Splits a container's settings for embedded Neo4j `version`. */
export function splitEnterpriseSettings(version: string, settings: Readonly<Record<string, string>>): SettingsSplit {
  const split: SettingsSplit = { forServer: {}, checkedByName: {}, refused: [] };
  for (const [name, value] of Object.entries(settings)) {
    const known = ENTERPRISE_SETTINGS.find((s) => s.name === name);
    if (!known) {
      split.forServer[name] = value;
    } else if (compareNeo4jVersions(version, known.since) < 0) {
      split.refused.push({ name, value, reason: `Neo4j ${version} does not know ${name} (it comes with ${known.since})` });
    } else if (known.removedIn && compareNeo4jVersions(version, known.removedIn) >= 0) {
      split.refused.push({ name, value, reason: `Neo4j ${version} does not know ${name} (removed in ${known.removedIn})` });
    } else if (!known.values.test(value)) {
      split.refused.push({ name, value, reason: `${name}=${value} is not valid: expected ${known.valuesText}` });
    } else {
      split.checkedByName[name] = value;
    }
  }
  return split;
}
