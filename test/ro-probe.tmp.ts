import neo4j from 'neo4j-driver';
import { startNeo4j } from '../tools/neo4j-embedded';
(async () => {
  for (const version of ['5.26.30']) {
    const s = await startNeo4j({ version });
    const d = neo4j.driver(s.boltUri, neo4j.auth.basic(s.user, s.password));
    for (const q of ["CALL dbms.setConfigValue('server.databases.read_only', 'neo4j')", "CALL dbms.listConfig('server.databases.read_only') YIELD name, value, dynamic RETURN name, value, dynamic", "CREATE (:X)"]) {
      try { const r = await d.executeQuery(q); console.log(version, q, JSON.stringify(r.records.map(x => x.toObject()))); } catch (e) { console.log(version, q, 'ERR', (e as any).code, (e as Error).message.slice(0, 200)); }
    }
    await d.close(); await s.stop();
  }
})();
