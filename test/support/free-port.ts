// One implementation, shipped with the tools (the rehearsal and the embedded Neo4j use it too).
export { freePort } from '../../tools/free-port';
