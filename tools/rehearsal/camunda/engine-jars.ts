/**
 * The engine nodes' Java side: the classpath of camunda-engine <version> (with the PostgreSQL JDBC driver and
 * slf4j-simple) resolved by Maven into ~/.m2 once, and CamundaNode.java compiled once with javac. Both are
 * cached under the build dir (`.build/camunda-rehearsal`), keyed by version and by the source's hash.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAMUNDA_ENGINE_ARTIFACT } from '../../camunda/camunda-engine-sql';

const POSTGRES_JDBC = 'org.postgresql:postgresql:42.7.4';
const SLF4J_SIMPLE = 'org.slf4j:slf4j-simple:1.7.36';
export const NODE_SOURCE = path.join(__dirname, 'CamundaNode.java');

function dependency(coordinates: string): string {
  const [groupId, artifactId, version] = coordinates.split(':');
  return `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
}

/** The classpath (jar paths joined with ':') of an engine node on camunda-engine `version`. */
export function engineClasspath(buildDir: string, version: string): string {
  const dir = path.join(buildDir, `engine-${version}`);
  const out = path.join(dir, 'classpath.txt');
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pom.xml'), [
      '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>',
      `<groupId>rehearsal</groupId><artifactId>camunda-node</artifactId><version>${version}</version><dependencies>`,
      dependency(`${CAMUNDA_ENGINE_ARTIFACT}:${version}`), dependency(POSTGRES_JDBC), dependency(SLF4J_SIMPLE),
      '</dependencies></project>',
    ].join('\n'));
    execFileSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${out}.tmp`], { cwd: dir, stdio: 'inherit' });
    fs.renameSync(`${out}.tmp`, out);
  }
  return fs.readFileSync(out, 'utf8').trim();
}

/** The folder of the compiled CamundaNode class (compiled against `classpath`; the API it uses is the same in both minors). */
export function compiledNode(buildDir: string, classpath: string): string {
  const hash = crypto.createHash('sha256').update(fs.readFileSync(NODE_SOURCE)).digest('hex').slice(0, 12);
  const dir = path.join(buildDir, `node-${hash}`);
  if (!fs.existsSync(path.join(dir, 'CamundaNode.class'))) {
    fs.mkdirSync(`${dir}.tmp`, { recursive: true });
    execFileSync('javac', ['-d', `${dir}.tmp`, '-cp', classpath, NODE_SOURCE], { stdio: 'inherit' });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(`${dir}.tmp`, dir);
  }
  return dir;
}
