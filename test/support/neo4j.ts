/** A real embedded Neo4j for tests (no Docker): see tools/neo4j-embedded/index.ts. */
export {
  NEO4J_EMBEDDED_DEFAULT_PASSWORD,
  NEO4J_EMBEDDED_USER,
  NEO4J_EMBEDDED_VERSIONS,
  NEO4J_LTS_VERSION,
  NEO4J_NEWEST_VERSION,
  Neo4jEmbeddedSetupError,
  prepareNeo4j,
  startNeo4j,
} from '../../tools/neo4j-embedded';
export type { Neo4jServer, Neo4jStartTimings, StartNeo4jOptions } from '../../tools/neo4j-embedded';
