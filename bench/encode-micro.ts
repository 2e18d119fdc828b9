// Micro-benchmark of the validator's per-entity client work (encode + SHA-256 + sum) on values shaped like
// the bench graph's: `npx ts-node bench/encode-micro.ts [N] [--crypto]`. Prints CPU microseconds per entity (CPU,
// not wall time: the machine is shared) and the running sum, which must not change when the encoder is tuned.
// Hashes as the pass does (Sha256 into words), or with `--crypto` through crypto.hash (the pass before): same sums.
import neo4j from 'neo4j-driver';
import { CanonicalWriter, compareCodeUnits } from '../validator/canonical';
import { digest, Sum128 } from '../validator/checksum';
import { Sha256 } from '../validator/sha256';

const N = Number(process.argv[2] ?? 200000);
const nodes: { labels: string[]; props: Record<string, unknown> }[] = [];
for (let i = 0; i < 1000; i++) {
  if (i % 10 < 8) nodes.push({ labels: ['Person'], props: { id: neo4j.int(i), name: 'person ' + i, score: i / 7, born: new neo4j.types.Date(neo4j.int(1950 + (i % 50)), neo4j.int(1 + (i % 12)), neo4j.int(1 + (i % 28))), tags: ['a', 'b' + (i % 5)] } });
  else if (i % 10 === 8) nodes.push({ labels: ['Person', 'Employee'], props: { id: neo4j.int(i), name: 'employee ' + i, badge: neo4j.int(i * 3), since: new neo4j.types.DateTime(neo4j.int(2001), neo4j.int(9), neo4j.int(9), neo4j.int(3), neo4j.int(46), neo4j.int(40 + (i % 10)), neo4j.int(0), neo4j.int(7200), 'Europe/Berlin') } });
  else nodes.push({ labels: ['Company'], props: { id: neo4j.int(i), name: 'company ' + i, location: new neo4j.types.Point(neo4j.int(4326), i % 180, (i % 90) - 45), active: i % 2 === 0 } });
}
const rels = Array.from({ length: 1000 }, (_, i) => ({ type: i % 2 ? 'KNOWS' : 'WORKS_WITH', props: { since: neo4j.int(i), weight: (i % 100) / 10 }, a: neo4j.int(i), b: neo4j.int(i * 7919) }));

const w = new CanonicalWriter();
const sum = new Sum128();
const sha = new Sha256();
const viaCrypto = process.argv.includes('--crypto');
function add(): void {
  if (viaCrypto) sum.addDigest(digest(w.view()));
  else sum.addPrefixWords(sha.hash(w.raw, w.length));
}
function nodePass(): void {
  for (let k = 0; k < N; k++) {
    const n = nodes[k % 1000];
    const labels = n.labels.slice();
    if (labels.length > 1) labels.sort(compareCodeUnits);
    w.reset().ascii('N').labels(labels).map(n.props);
    add();
  }
}
function relPass(): void {
  for (let k = 0; k < N; k++) {
    const r = rels[k % 1000];
    w.reset().ascii('R').string(r.type);
    w.ascii('K').string('Person').ascii('l1[').value(r.a).ascii(']');
    w.ascii('>');
    w.ascii('K').string('Person').ascii('l1[').value(r.b).ascii(']');
    w.map(r.props);
    add();
  }
}
for (const [name, fn] of [['nodes', nodePass], ['rels', relPass], ['nodes', nodePass], ['rels', relPass]] as const) {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  console.log(name, ((used.user + used.system) / N).toFixed(2), 'CPU us/entity', sum.toHex());
}
