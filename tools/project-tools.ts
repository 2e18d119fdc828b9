import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where scripts/setup.sh installs the Python tools it did not find (moto_server, cfn-lint, aws). */
export const PROJECT_TOOLS_BIN = path.resolve(__dirname, '..', '.tools', 'venv', 'bin');

/** Puts the project's tools first on this process's PATH, which every child process inherits. */
export function useProjectTools(env: NodeJS.ProcessEnv = process.env): void {
  if (fs.existsSync(PROJECT_TOOLS_BIN) && !(env.PATH ?? '').split(path.delimiter).includes(PROJECT_TOOLS_BIN)) {
    env.PATH = [PROJECT_TOOLS_BIN, env.PATH].filter(Boolean).join(path.delimiter);
  }
}
