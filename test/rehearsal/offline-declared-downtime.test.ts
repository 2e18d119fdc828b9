/**
 * A write the client gave up is downtime, not a lost write: the offline procedure's declared downtime
 * (stage 2 to stage 6's gate, plus a rollback until every server serves again) and the split of the
 * workload's given-up transactions by it. Pure: no moto, no Neo4j.
 */
import { offlineDeclaredDowntime } from '../../tools/rehearsal/offline/offline-declared-downtime';
import type { StageReport } from '../../tools/rehearsal/types';
import { givenUpTransactions } from '../../tools/rehearsal/workload/declared-downtime';
import type { Attempt, Transaction } from '../../tools/rehearsal/workload/downtime';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => T0 + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString();
const stage = (key: string, status: StageReport['status'], from?: number, to?: number): StageReport => ({
  key, name: key, seedStep: '001', status, ...(from !== undefined && { startedAt: iso(from) }), ...(to !== undefined && { endedAt: iso(to) }),
});

describe('the downtime the offline procedure declares', () => {
  test('a success: stage 2 start to stage 6 end, nothing after', () => {
    const stages = [stage('chooseServer', 'succeeded', 0, 10), stage('stopOthers', 'succeeded', 11, 30), stage('startAll', 'succeeded', 60, 90), stage('backUp', 'succeeded', 91, 95)];
    expect(offlineDeclaredDowntime(stages, { rolledBack: false, servingAgainAt: at(100) }).map((w) => [w.from, w.to])).toEqual([[at(11), at(90)]]);
  });

  test('a rollback from stage 3: stage 2 start to the failure, then the rollback until every server serves again', () => {
    const stages = [stage('stopOthers', 'succeeded', 11, 30), stage('migrate', 'failed', 31, 50), stage('startAll', 'not-started')];
    expect(offlineDeclaredDowntime(stages, { rolledBack: true, servingAgainAt: at(600) }).map((w) => [w.from, w.to])).toEqual([[at(11), at(50)], [at(50), at(600)]]);
  });

  test('a run refused or rolled back before stage 2 declares none', () => {
    expect(offlineDeclaredDowntime([stage('chooseServer', 'failed', 0, 5), stage('stopOthers', 'not-started')], { rolledBack: true, servingAgainAt: at(60) })).toEqual([]);
  });
});

describe('given-up transactions split by the declared downtime', () => {
  const windows = [{ what: 'stages 2-6', from: at(10), to: at(50) }, { what: 'the rollback', from: at(50), to: at(600) }];
  const attempt = (tx: number, s: number): Attempt => ({ op: 'write', tx, at: at(s), endedAt: at(s) + 100, playedAt: 0, playedEnd: 0, failure: 'real', error: 'ServiceUnavailable' });
  const tx = (n: number, outcome: Transaction['outcome'], first: number, last: number, attempts: number): Transaction => ({
    op: 'write', tx: n, attempts, outcome, firstAttemptAt: at(first), lastAttemptEndedAt: at(last), ...(outcome === 'lost' && { lastError: 'ServiceUnavailable' }),
  });

  test('every attempt inside the windows (across both): downtime, with its window; an attempt outside: a problem; committed ones are neither', () => {
    const attempts = [attempt(1, 40), attempt(1, 300), attempt(1, 560), attempt(2, 5), attempt(2, 20), attempt(3, 590), attempt(3, 610)];
    const transactions = [tx(1, 'lost', 40, 560, 3), tx(2, 'lost', 5, 20, 2), tx(3, 'lost', 590, 610, 2), tx(4, 'committed', 45, 400, 5)];
    const split = givenUpTransactions(attempts, transactions, windows);
    expect(split.duringDeclaredDowntime.map((t) => [t.tx, t.during, t.attempts, t.lastAttemptAt])).toEqual([[1, 'stages 2-6', 3, iso(560)]]);
    expect(split.outsideDeclaredDowntime.map((t) => [t.tx, t.during, t.lastError])).toEqual([[2, undefined, 'ServiceUnavailable'], [3, undefined, 'ServiceUnavailable']]);
  });

  test('without a declared window every given-up transaction is outside it', () => {
    const split = givenUpTransactions([attempt(1, 40)], [tx(1, 'lost', 40, 40, 1)], []);
    expect([split.duringDeclaredDowntime.length, split.outsideDeclaredDowntime.length]).toEqual([0, 1]);
  });
});
