/**
 * The real aws CLI for scripts the harness runs many times (the claim script at every boot), without its
 * start-up cost on each call: see aws_cli_server.py. `warmAwsCli()` starts one server per process and
 * returns an `aws` command (a wrapper script) for NEO4J_CLAIM_AWS_CLI or PATH; without a Python that can
 * import awscli (the aws CLI v2 is a binary), it returns `aws` and scripts run the plain CLI.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const SERVER = path.join(__dirname, 'aws_cli_server.py');
const CLIENT = path.join(__dirname, 'aws_cli_client.py');

let shared: Promise<string> | undefined;

/** An `aws` command backed by a warm server (started on first use, stopped when this process exits). */
export function warmAwsCli(): Promise<string> {
  shared ??= start().catch(() => 'aws');
  return shared;
}

/** The Python that runs `aws` on PATH, if it can import awscli. */
function awsPython(): string | undefined {
  for (const python of ['python3', 'python']) {
    const probe = spawnSync(python, ['-c', 'import awscli, sys; print(sys.executable)'], { encoding: 'utf8' });
    if (probe.status === 0 && probe.stdout.trim()) return probe.stdout.trim();
  }
  return undefined;
}

async function start(): Promise<string> {
  const python = awsPython();
  if (!python) throw new Error('no Python with awscli');
  const child: ChildProcess = spawn(python, [SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.unref();
  const port = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`aws_cli_server.py exited with ${code}`)));
  });
  for (const stream of [child.stdin, child.stdout]) (stream as unknown as { unref?: () => void }).unref?.();
  if (!/^\d+$/.test(port)) throw new Error(`aws_cli_server.py printed '${port}', not a port`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-cli-'));
  const wrapper = path.join(dir, 'aws');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec '${python}' -S '${CLIENT}' ${port} "$@"\n`, { mode: 0o755 });
  return wrapper;
}
