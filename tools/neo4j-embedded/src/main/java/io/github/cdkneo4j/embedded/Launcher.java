package io.github.cdkneo4j.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Result;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.config.Setting;

/**
 * Starts embedded Neo4j Community (org.neo4j:neo4j) with the Bolt connector on host:port, auth enabled,
 * on a data (home) directory, and prints one machine-readable line on stdout:
 *
 * <pre>
 *   NEO4J_EMBEDDED_READY {"version":"5.26.30","edition":"community","host":"127.0.0.1","port":7687,...}
 *   NEO4J_EMBEDDED_FAILED {"error":"...","addressInUse":false}
 *   NEO4J_EMBEDDED_STOPPED {"stopMillis":120}
 * </pre>
 *
 * Shuts down cleanly on SIGTERM/SIGINT (shutdown hook) and when stdin reaches end of file (the parent
 * process closed the pipe or died), unless --ignore-stdin is given.
 *
 * Arguments: --data-dir DIR (required) --port N (required) [--host 127.0.0.1] [--page-cache-mb 64]
 * [--settings FILE] [--ignore-stdin]. --settings loads a neo4j.conf-style file (the settings a container
 * would start with) with Neo4j's strict config validation on, so an unknown setting name or a bad value
 * fails the start as it would fail the server; data directory, Bolt address and auth stay the launcher's. The password for user neo4j comes from the environment variable
 * NEO4J_EMBEDDED_PASSWORD (kept out of the process arguments); it is set through the system database with
 * ALTER USER ... CHANGE NOT REQUIRED on every start, so the password given wins over the stored one.
 *
 * Only APIs present in both 5.26 and 2025.x/2026.x are used: the launcher is compiled per version.
 */
public final class Launcher {
    static final String READY = "NEO4J_EMBEDDED_READY";
    static final String FAILED = "NEO4J_EMBEDDED_FAILED";
    static final String STOPPED = "NEO4J_EMBEDDED_STOPPED";

    private Launcher() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            out.println(FAILED + " " + json(Map.of("error", e.getMessage(), "addressInUse", false)));
            System.exit(2);
            return;
        }
        Path home = Path.of(opts.get("data-dir")).toAbsolutePath();
        String host = opts.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(opts.get("port"));
        long pageCacheBytes = Long.parseLong(opts.getOrDefault("page-cache-mb", "64")) * 1024L * 1024L;
        String password = System.getenv("NEO4J_EMBEDDED_PASSWORD");
        if (password == null || password.isEmpty()) {
            out.println(FAILED + " " + json(Map.of("error", "NEO4J_EMBEDDED_PASSWORD is not set", "addressInUse", false)));
            System.exit(2);
            return;
        }

        DatabaseManagementService dbms;
        long started = System.nanoTime();
        try {
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
            if (opts.containsKey("settings")) {
                builder.loadPropertiesFromFile(Path.of(opts.get("settings")))
                        .setConfig(GraphDatabaseSettings.strict_config_validation, true);
            }
            builder.setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheBytes)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port));
            dbms = withoutBoltQuietPeriod(builder).build();
        } catch (Throwable t) {
            fail(out, t);
            return;
        }

        AtomicBoolean stopped = new AtomicBoolean(false);
        CountDownLatch exit = new CountDownLatch(1);
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                long stopping = System.nanoTime();
                try {
                    dbms.shutdown();
                } finally {
                    out.println(STOPPED + " " + json(Map.of("stopMillis", (System.nanoTime() - stopping) / 1_000_000L)));
                    exit.countDown();
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-embedded-shutdown"));

        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            setPassword(system, password);
            // Read on the system database: a server whose default database failed to start still serves
            // Bolt and reports that database's status (SHOW DATABASES), as a real server does.
            GraphDatabaseService db = system;
            Map<String, Object> ready = new LinkedHashMap<>();
            try (Transaction tx = db.beginTx();
                    Result r = tx.execute("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition")) {
                Map<String, Object> row = r.next();
                @SuppressWarnings("unchecked")
                List<Object> versions = (List<Object>) row.get("versions");
                ready.put("version", String.valueOf(versions.get(0)));
                ready.put("edition", String.valueOf(row.get("edition")));
                ready.put("component", String.valueOf(row.get("name")));
                tx.commit();
            }
            ready.put("host", host);
            ready.put("port", port);
            ready.put("dataDir", home.toString());
            ready.put("java", System.getProperty("java.version"));
            ready.put("startMillis", (System.nanoTime() - started) / 1_000_000L);
            out.println(READY + " " + json(ready));
        } catch (Throwable t) {
            try {
                stop.run();
            } catch (Throwable ignored) {
                // reporting the first failure matters more
            }
            fail(out, t);
            return;
        }

        if (!opts.containsKey("ignore-stdin")) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) != -1) {
                        // only end of file matters
                    }
                } catch (IOException ignored) {
                    // treat a broken pipe like end of file
                }
                System.exit(0);
            }, "neo4j-embedded-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            exit.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Netty waits a quiet period (5 s, per event loop group) before the Bolt server stops, which makes
     * every stop take about 10 s. The internal setting is an Integer in 5.x and a Duration in 2025.x+, so it
     * is found by reflection and set to zero; when it is missing, the default stays (slower stop only).
     */
    @SuppressWarnings("unchecked")
    static DatabaseManagementServiceBuilder withoutBoltQuietPeriod(DatabaseManagementServiceBuilder builder) {
        try {
            Class<?> settings = Class.forName("org.neo4j.configuration.GraphDatabaseInternalSettings");
            Setting<Object> quiet = (Setting<Object>) settings.getField("netty_server_shutdown_quiet_period").get(null);
            Object current = quiet.defaultValue();
            if (current instanceof Integer) builder.setConfig(quiet, 0);
            else if (current instanceof Duration) builder.setConfig(quiet, Duration.ZERO);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("neo4j-embedded: keeping the default Bolt shutdown quiet period: " + e);
        }
        return builder;
    }

    /**
     * Sets the password of user neo4j and clears "change required". On a data directory that already has
     * this password Neo4j refuses the change ("Old password and new password cannot be the same"): then
     * only the flag is cleared.
     */
    static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            if (!m.contains("Old password and new password cannot be the same")) throw e;
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static void fail(PrintStream out, Throwable t) {
        boolean addressInUse = false;
        StringBuilder msg = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException
                    || (c.getMessage() != null && c.getMessage().contains("Address already in use"))) {
                addressInUse = true;
            }
            if (msg.length() > 0) msg.append(" <- ");
            msg.append(c.getClass().getName()).append(": ").append(c.getMessage());
            if (c.getCause() == c) break;
        }
        t.printStackTrace(System.err);
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("error", msg.toString());
        failed.put("addressInUse", addressInUse);
        out.println(FAILED + " " + json(failed));
        Runtime.getRuntime().halt(1);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + a);
            String key = a.substring(2);
            if (key.equals("ignore-stdin")) {
                opts.put(key, "true");
                continue;
            }
            if (rest.isEmpty()) throw new IllegalArgumentException(a + " needs a value");
            opts.put(key, rest.remove(0));
        }
        for (String required : List.of("data-dir", "port")) {
            if (!opts.containsKey(required)) throw new IllegalArgumentException("--" + required + " is required");
        }
        return opts;
    }

    static String json(Map<String, ?> map) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (sb.length() > 1) sb.append(',');
            sb.append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            if (v instanceof Number || v instanceof Boolean) sb.append(v);
            else sb.append(quote(String.valueOf(v)));
        }
        return sb.append('}').toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
