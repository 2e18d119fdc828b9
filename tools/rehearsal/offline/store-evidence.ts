/**
 * What a store's own Neo4j logged about its versions (`<home>/logs/debug.log`, JSON lines): the kernel
 * version each database had when it was opened, and every upgrade transaction (a newer Neo4j upgrading
 * the store it opened: "Upgrade transaction from KernelVersion{V5_25,...} to KernelVersion{V2026_08,...}").
 * A store migrated once has one upgrade per database; a copy of a migrated store opens at the new kernel
 * version and logs none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StoreEvidence {
  readonly dir: string;
  /** Neo4j versions that opened the store (`Kernel version: 5.26.30` diagnostics of the system database), in order. */
  readonly openedBy: string[];
  /** Per open of a database: its kernel version then. */
  readonly opened: Array<{ database: string; kernel: string }>;
  readonly upgrades: Array<{ database: string; from: string; to: string; at: string }>;
}

const kernel = (text: string) => /KernelVersion\{(\w+)/.exec(text)?.[1] ?? text;

export function storeEvidence(home: string): StoreEvidence {
  const file = path.join(home, 'logs', 'debug.log');
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  const openedBy: string[] = [];
  const opened: StoreEvidence['opened'] = [];
  const upgrades: StoreEvidence['upgrades'] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) {
      const v = /\[system\/\w+\] Kernel version: (\S+)/.exec(line)?.[1];
      if (v) openedBy.push(v);
      continue;
    }
    let entry: { time?: string; message?: string; databaseName?: string };
    try { entry = JSON.parse(line); } catch { continue; }
    const message = entry.message ?? '';
    for (const m of message.matchAll(/\[system\/\w+\] Kernel version: (\S+)/g)) openedBy.push(m[1]);
    const current = /Current KernelVersion=(KernelVersion\{[^}]*\})/.exec(message);
    if (current && entry.databaseName) opened.push({ database: entry.databaseName, kernel: kernel(current[1]) });
    const up = /Upgrade transaction from (KernelVersion\{[^}]*\}) to (KernelVersion\{[^}]*\}) started/.exec(message);
    if (up && entry.databaseName) upgrades.push({ database: entry.databaseName, from: kernel(up[1]), to: kernel(up[2]), at: entry.time ?? '' });
  }
  return { dir: home, openedBy, opened, upgrades };
}
