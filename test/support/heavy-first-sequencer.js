const fs = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Jest's order, except that the suites with no recorded duration (a clean CI checkout: all of them) that
 * start a rehearsal, a real Neo4j, moto or a package build go first, heaviest kind first. Jest orders
 * unknown suites by file size, and the rehearsal suites (minutes each) are small files: they started in the
 * middle of the run and one of them ended it on one worker while the other sat idle.
 */
const WEIGHTS = [
  [/\brehearse\(/, 3],
  [/\bstartNeo4j\(|\bnpm', \['pack'|jsii/, 2],
  [/Moto\(/, 1],
];

function weight(file) {
  const text = fs.readFileSync(file, 'utf8');
  return WEIGHTS.find(([pattern]) => pattern.test(text))?.[1] ?? 0;
}

class HeavyFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimed = new Map(sorted.filter((t) => t.duration == null).map((t) => [t, weight(t.path)]));
    const rank = (t) => untimed.get(t) ?? -1;
    // Array.prototype.sort is stable: within a weight, jest's own order stays.
    return [...sorted].sort((a, b) => rank(b) - rank(a));
  }
}

module.exports = HeavyFirstSequencer;
