/**
 * A small graph covering every property type, several label combinations, unlabeled and duplicate
 * nodes, self-loops and parallel relationships, and every index and constraint type Community has.
 */
import neo4j, { Date as NeoDate, DateTime, Duration, LocalDateTime, LocalTime, Point, Time } from 'neo4j-driver';
import type { Driver } from 'neo4j-driver';

/** Stable keys for the fixture (Place, Tag and unlabeled nodes stay unkeyed: content keys). */
export const FIXTURE_KEYS = { Person: 'id', Movie: 'title', Book: 'isbn' } as const;

export const FIXTURE_SCHEMA = [
  'CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE',
  'CREATE CONSTRAINT movie_title FOR (m:Movie) REQUIRE m.title IS UNIQUE',
  'CREATE CONSTRAINT knows_rid FOR ()-[r:KNOWS]-() REQUIRE r.rid IS UNIQUE',
  'CREATE INDEX person_name FOR (p:Person) ON (p.name)',
  'CREATE INDEX person_name_born FOR (p:Person) ON (p.name, p.born)',
  'CREATE TEXT INDEX movie_tagline FOR (m:Movie) ON (m.tagline)',
  'CREATE POINT INDEX place_location FOR (p:Place) ON (p.location)',
  'CREATE FULLTEXT INDEX titles FOR (n:Movie|Book) ON EACH [n.title, n.tagline]',
  'CREATE INDEX acted_role FOR ()-[r:ACTED_IN]-() ON (r.role)',
  "CREATE VECTOR INDEX doc_embedding FOR (d:Doc) ON (d.embedding) OPTIONS {indexConfig: {`vector.dimensions`: 3, `vector.similarity_function`: 'cosine'}}",
];

/** Every property type the driver and Neo4j support, on Person 1. */
export function allTypes(): Record<string, unknown> {
  return {
    str: 'héllo wörld 😀 \u0000 nul',
    emptyStr: '',
    largeStr: 'L'.repeat(300_000) + '😀',
    int: neo4j.int(42),
    bigInt: neo4j.int('9007199254740993'), // 2^53 + 1
    minInt: neo4j.int('-9223372036854775808'),
    maxInt: neo4j.int('9223372036854775807'),
    float: 3.141592653589793,
    tiny: 5e-324,
    negZero: -0,
    nan: NaN,
    inf: Infinity,
    integralFloat: 2.0,
    bool: true,
    date: new NeoDate(2024, 2, 29),
    farDate: new NeoDate(-999, 1, 1),
    time: new Time(23, 59, 59, 999999999, -3600 * 5 - 1800),
    localTime: new LocalTime(0, 0, 0, 1),
    dateTimeZone: new DateTime(2024, 10, 27, 2, 30, 0, 123456789, undefined, 'Europe/Berlin'), // ambiguous hour (DST end)
    dateTimeZoneUtc: new DateTime(2030, 1, 1, 0, 0, 0, 0, undefined, 'UTC'),
    dateTimeOffset: new DateTime(2024, 1, 2, 3, 4, 5, 6, 3600 * 14),
    localDateTime: new LocalDateTime(1969, 12, 31, 23, 59, 59, 999999999),
    duration: new Duration(14, 3, 7200, 5),
    negDuration: new Duration(-1, -2, -3, -4),
    cartesian2d: new Point(7203, 1.5, -2.25),
    cartesian3d: new Point(9157, 1, 2, 3),
    wgs2d: new Point(4326, 13.404954, 52.520008),
    wgs3d: new Point(4979, -122.4194, 37.7749, 16.5),
    intList: [neo4j.int(1), neo4j.int('9007199254740993'), neo4j.int(-3)],
    floatList: [1.5, -0.25, 1e300],
    strList: ['a', '', 'ü'],
    boolList: [true, false],
    dateList: [new NeoDate(2020, 1, 1), new NeoDate(2021, 6, 15)],
    pointList: [new Point(7203, 0, 0), new Point(7203, 1, 1)],
    durationList: [new Duration(0, 1, 0, 0)],
    bytes: new Int8Array([0, 1, -1, 127, -128, 42]),
    emptyBytes: new Int8Array([]),
    emptyList: [],
  };
}

export async function populate(driver: Driver): Promise<{ nodes: number; relationships: number }> {
  const s = driver.session();
  try {
    for (const q of FIXTURE_SCHEMA) await s.run(q);
    await s.run('CALL db.awaitIndexes(300)');
    const people = Array.from({ length: 60 }, (_, i) => ({
      id: neo4j.int(i + 1),
      name: `person ${i % 25}`,
      born: neo4j.int(1950 + (i % 40)),
      employee: (i + 1) % 3 === 0,
      badge: `B-${i + 1}`,
    }));
    await s.run(
      'UNWIND $people AS p CREATE (n:Person {id: p.id, name: p.name, born: p.born}) ' +
        'FOREACH (_ IN CASE WHEN p.employee THEN [1] ELSE [] END | SET n:Employee, n.badge = p.badge)',
      { people },
    );
    await s.run('MATCH (p:Person {id: 1}) SET p += $props', { props: allTypes() });
    await s.run('CREATE (:Person {id: 999, name: "isolated", joined: date("2001-01-01")})');
    await s.run(
      'UNWIND range(1, 20) AS i CREATE (:Movie {title: "Movie " + i, tagline: "tagline " + (i % 7), released: 1990 + i, rating: toFloat(i) / 3})',
    );
    await s.run('UNWIND range(1, 5) AS i CREATE (:Book {isbn: "978-" + i, title: "Book " + i, pages: i * 100})');
    await s.run('UNWIND range(1, 10) AS i CREATE (:Place {name: "place " + i, location: point({longitude: i, latitude: i / 2.0})})');
    await s.run('UNWIND ["red", "green", "blue", "dup", "dup"] AS t CREATE (:Tag {name: t})'); // two identical nodes
    await s.run('UNWIND range(1, 3) AS i CREATE ({note: "unlabeled " + i})');
    await s.run('CREATE (:Doc {id: "d1", embedding: [0.1, 0.2, 0.3]}), (:Doc {id: "d2", embedding: [0.3, 0.2, 0.1]})');
    await s.run('CREATE (:Tag:Place {name: "both", location: point({x: 1, y: 2, z: 3})})');

    await s.run(
      'MATCH (a:Person), (b:Person) WHERE b.id = a.id + 1 AND a.id < 60 ' +
        'CREATE (a)-[:KNOWS {rid: a.id, since: date({year: 2000 + a.id % 20, month: 1, day: 1}), weight: toFloat(a.id) / 7}]->(b)',
    );
    await s.run('MATCH (p:Person {id: 5}) CREATE (p)-[:KNOWS {rid: 1000, self: true}]->(p)'); // self-loop
    await s.run(
      'MATCH (p:Person), (m:Movie) WHERE p.id <= 40 AND m.released = 1990 + (p.id % 20) + 1 ' +
        'CREATE (p)-[:ACTED_IN {role: "role " + p.id, billing: p.id % 4, at: datetime({year: 2000, month: 1, day: 1, timezone: "America/New_York"})}]->(m)',
    );
    await s.run('MATCH (p:Person), (m:Movie) WHERE p.id % 4 = 0 AND m.released % 3 = 0 CREATE (p)-[:LIKES]->(m)');
    await s.run('MATCH (p:Person {id: 2}), (m:Movie {title: "Movie 1"}) CREATE (p)-[:LIKES {stars: 5}]->(m), (p)-[:LIKES {stars: 5}]->(m)'); // parallel, identical
    await s.run('MATCH (m:Movie), (t:Tag) WHERE m.released % 5 = size(t.name) % 5 CREATE (m)-[:TAGGED {score: 0.5}]->(t)');
    await s.run('MATCH (b:Book), (p:Person {id: 7}) CREATE (p)-[:WROTE {drafts: [1, 2, 3], period: duration("P1Y2M")}]->(b)');
    await s.run('MATCH (n) WHERE n.note IS NOT NULL MATCH (pl:Place {name: "place 1"}) CREATE (n)-[:NEAR {d: point({x: 0, y: 0})}]->(pl)');
    await s.run('MATCH (a {note: "unlabeled 1"}), (b {note: "unlabeled 2"}) CREATE (a)-[:LINK]->(b)');
    const counts = await s.run('MATCH (n) WITH count(n) AS n MATCH ()-[r]->() RETURN n, count(r) AS r');
    return { nodes: counts.records[0].get('n').toNumber(), relationships: counts.records[0].get('r').toNumber() };
  } finally {
    await s.close();
  }
}
