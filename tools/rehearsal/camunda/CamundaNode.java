import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.StrongUuidGenerator;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.model.bpmn.Bpmn;

/**
 * One Camunda 7 engine node of the rehearsal (tools/rehearsal/camunda): the engine on the shared PostgreSQL
 * (schema never touched: databaseSchemaUpdate=false, the job executor on) behind a tiny HTTP front.
 * Environment: NODE_ID, PORT, JDBC_URL, JDBC_USER, ENGINE_VERSION (the jars' version, echoed in every answer),
 * JOB_EXECUTOR (default on; `off`: the engine starts with its job executor off, so /health never passes:
 * the fault matrix's node that never gets healthy).
 *   GET  /health                  200 when the engine answers a query and its job executor is active, else 503
 *   POST /deploy                  deploys the process `rehearsal` (start, user task `work`, end), duplicates filtered
 *   POST /start                   starts an instance; answers its id
 *   GET  /tasks?instance=ID       the open user tasks (of one instance)
 *   POST /complete?task=ID        completes a user task
 * Every answer is one JSON object with `node` and `version`; errors are 500 with `error`.
 */
public final class CamundaNode {
  private static String node;
  private static String version;
  private static ProcessEngine engine;

  public static void main(String[] args) throws Exception {
    node = System.getenv("NODE_ID");
    version = System.getenv("ENGINE_VERSION");
    ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) new StandaloneProcessEngineConfiguration()
        .setJdbcUrl(System.getenv("JDBC_URL"))
        .setJdbcUsername(System.getenv("JDBC_USER"))
        .setJdbcPassword("")
        .setJdbcDriver("org.postgresql.Driver")
        .setDatabaseSchemaUpdate("false")
        .setJobExecutorActivate(!"off".equals(System.getenv("JOB_EXECUTOR")))
        .setHistory("full")
        .setProcessEngineName("rehearsal-" + node);
    config.setMetricsEnabled(false);
    // Engines sharing one database: the default DbIdGenerator's id blocks (ACT_GE_PROPERTY next.dbid) collide
    // under concurrent starts (OptimisticLockingException, seen in this rehearsal); Camunda's advice for clusters.
    config.setIdGenerator(new StrongUuidGenerator());
    engine = config.buildProcessEngine();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 64);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", CamundaNode::handle);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(0);
      engine.close();
    }));
    System.out.println("camunda node " + node + " " + version + " listening on " + System.getenv("PORT"));
  }

  private static void handle(HttpExchange x) throws IOException {
    int status = 200;
    String body;
    try {
      String path = x.getRequestURI().getPath();
      Map<String, String> q = query(x.getRequestURI().getRawQuery());
      switch (x.getRequestMethod() + " " + path) {
        case "GET /health": {
          engine.getRepositoryService().createProcessDefinitionQuery().count();
          boolean jobs = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getJobExecutor().isActive();
          status = jobs ? 200 : 503;
          body = "\"jobExecutor\":" + jobs;
          break;
        }
        case "POST /deploy": {
          String id = engine.getRepositoryService().createDeployment().name("rehearsal").enableDuplicateFiltering(false)
              .addModelInstance("rehearsal.bpmn", Bpmn.createExecutableProcess("rehearsal").camundaHistoryTimeToLive(1)
                  .startEvent().userTask("work").endEvent().done())
              .deploy().getId();
          body = "\"deployment\":\"" + id + "\"";
          break;
        }
        case "POST /start": {
          Map<String, Object> vars = new HashMap<>();
          vars.put("startedOn", version);
          ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("rehearsal", vars);
          body = "\"instance\":\"" + pi.getId() + "\"";
          break;
        }
        case "GET /tasks": {
          List<Task> tasks = q.containsKey("instance")
              ? engine.getTaskService().createTaskQuery().processInstanceId(q.get("instance")).list()
              : engine.getTaskService().createTaskQuery().listPage(0, 100);
          body = "\"tasks\":[" + tasks.stream().map(t -> "{\"id\":\"" + t.getId() + "\",\"instance\":\"" + t.getProcessInstanceId() + "\"}")
              .collect(Collectors.joining(",")) + "]";
          break;
        }
        case "POST /complete": {
          Map<String, Object> vars = new HashMap<>();
          vars.put("completedOn", version);
          engine.getTaskService().complete(q.get("task"), vars);
          body = "\"completed\":\"" + q.get("task") + "\"";
          break;
        }
        default:
          status = 404;
          body = "\"error\":\"no route " + x.getRequestMethod() + " " + path + "\"";
      }
    } catch (Exception e) {
      status = 500;
      body = "\"error\":\"" + String.valueOf(e).replace("\\", "/").replace("\"", "'").replace("\n", " ") + "\"";
    }
    byte[] out = ("{\"node\":\"" + node + "\",\"version\":\"" + version + "\"," + body + "}").getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, out.length);
    try (OutputStream os = x.getResponseBody()) {
      os.write(out);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) return q;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }
}
