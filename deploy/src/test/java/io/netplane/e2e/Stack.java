package io.netplane.e2e;

import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real services started from their runner jars, each with its own port, on a fresh database and a
 * topic prefix of its own, so a stack started with {@code deploy/netplane up} on the same host is untouched.
 */
final class Stack implements AutoCloseable {
    static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
    /** Recreated by every start: a run beside another worktree's e2e tests names its own (-Dnetplane.e2e.database). */
    private static final String DATABASE = System.getProperty("netplane.e2e.database", "netplane_e2e");
    private static final String DB_USER = System.getProperty("netplane.test.db.user", "netplane");
    private static final String DB_PASSWORD = System.getProperty("netplane.test.db.password", "netplane");

    record Settings(String node, String topicPrefix, String defaultBridge, String firewallTable) {
    }

    /** The admin token api-service of every e2e stack accepts; {@link Api} and {@link DockerCli} send it. */
    static final String ADMIN_TOKEN = randomHex(64);

    private record Service(String name, int port, Process process, Path log) {
    }

    private static final String SIMULATED_AGENT = "node-agent@";

    private final Settings settings;
    private final Path repo = Path.of(System.getProperty("netplane.repo", "..")).toAbsolutePath().normalize();
    private final String kafka = System.getProperty("netplane.test.kafka", "127.0.0.1:19092");
    private final String testJdbc = System.getProperty("netplane.test.jdbc", "jdbc:postgresql://127.0.0.1:5432/netplane_test");
    private final Map<String, Service> services = new LinkedHashMap<>();
    /** Settings every service gets (an unknown property is only a warning): e.g. the heartbeat timing. */
    private Map<String, String> sharedEnv = Map.of();
    private Path agentTrace;
    private Path agentStateDir;
    private boolean databaseCreated;

    private Stack(Settings settings) {
        this.settings = settings;
    }

    /** Starts ipam-service, api-service and the agent (under strace); whatever started is stopped by close(). */
    static Stack start(Settings settings, java.util.function.Consumer<Stack> keep) throws Exception {
        return start(settings, Map.of(), keep, true);
    }

    /** As {@link #start(Settings, java.util.function.Consumer)}, with {@code sharedEnv} for every service it starts. */
    static Stack start(Settings settings, Map<String, String> sharedEnv, java.util.function.Consumer<Stack> keep)
            throws Exception {
        return start(settings, sharedEnv, keep, true);
    }

    /**
     * As {@link #start(Settings, Map, java.util.function.Consumer)}; without {@code hostAgent} no agent runs on the
     * machine itself (only the simulated ones the caller adds): nothing of the stack touches the host's kernel.
     */
    static Stack start(Settings settings, Map<String, String> sharedEnv, java.util.function.Consumer<Stack> keep,
                       boolean hostAgent) throws Exception {
        Stack stack = new Stack(settings);
        stack.sharedEnv = Map.copyOf(sharedEnv);
        keep.accept(stack);
        stack.checkPreconditions();
        stack.recreateDatabase();
        Path logs = SliceEndToEndIT.logFolder();
        String java = ProcessHandle.current().info().command().orElse("java");
        stack.launch("ipam-service", logs, List.of(java, "-Xmx256m", "-jar", stack.jar("ipam-service")), Map.of());
        stack.launch("api-service", logs, List.of(java, "-Xmx256m", "-jar", stack.jar("api-service")),
                Map.of("NETPLANE_AUTH_TOKENS", "e2e-admin:admin:" + ADMIN_TOKEN));
        if (!hostAgent) {
            return stack;
        }
        stack.agentTrace = logs.resolve("node-agent-" + settings.node() + ".execve");
        stack.agentStateDir = logs.resolve("agent-" + settings.node());
        stack.launch("node-agent", logs, List.of("strace", "-f", "-qq", "-e", "trace=execve,execveat",
                        "-o", stack.agentTrace.toString(), java, "-Xmx256m", "-jar", stack.jar("node-agent")),
                Map.of("NETPLANE_NODE_NAME", settings.node(),
                        "NETPLANE_BRIDGE_DEFAULT_NAME", settings.defaultBridge(),
                        "NETPLANE_AGENT_STATE_DIR", stack.agentStateDir.toString(),
                        // never the host's `inet netplane`: a stack started with `up` may own it
                        "NETPLANE_FIREWALL_TABLE", settings.firewallTable(),
                        // names the sandboxes do not know are never forwarded to the machine's resolver
                        "NETPLANE_DNS_UPSTREAM", "none"));
        return stack;
    }

    /**
     * One more node agent, for a simulated host: node {@code node}, all its kernel work inside {@code netns}, its
     * own state folder; its firewall table {@code inet netplane} lives in that namespace, not the machine's.
     * Call before {@link #awaitHealthy}; close() stops it first. Its namespaces are the caller's to remove.
     */
    void startSimulatedAgent(String node, String netns) throws IOException {
        startSimulatedAgent(node, netns, Map.of());
    }

    /** As {@link #startSimulatedAgent(String, String)}, with more settings (env vars, e.g. NETPLANE_RECONCILE_INTERVAL). */
    void startSimulatedAgent(String node, String netns, Map<String, String> more) throws IOException {
        Path logs;
        try {
            logs = SliceEndToEndIT.logFolder();
        } catch (Exception e) {
            throw new IOException(e);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Map<String, String> env = new LinkedHashMap<>(Map.of("NETPLANE_NODE_NAME", node,
                "NETPLANE_NODE_NETNS", netns,
                "NETPLANE_BRIDGE_DEFAULT_NAME", settings.defaultBridge(),
                "NETPLANE_AGENT_STATE_DIR", logs.resolve("agent-" + node).toString(),
                "NETPLANE_DNS_UPSTREAM", "none"));
        env.putAll(more);
        launch(SIMULATED_AGENT + node, logs, List.of(java, "-Xmx200m", "-jar", jar("node-agent")), env);
    }

    /**
     * The namespaces a simulated agent recorded in its state folder (one file each, named after it): what a
     * test's teardown deletes even when the API could not remove the sandboxes.
     */
    static List<String> recordedNamespaces(String node) throws Exception {
        Path records = SliceEndToEndIT.logFolder().resolve("agent-" + node);
        if (!Files.isDirectory(records)) {
            return List.of();
        }
        try (var files = Files.list(records)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    /**
     * SIGKILL to a simulated host's agent, as a crash would: no {@code node.left}, its kernel objects stay.
     * {@link #startSimulatedAgent} again brings it back with the same state folder.
     */
    void killSimulatedAgent(String node) throws InterruptedException {
        Service agent = services.get(SIMULATED_AGENT + node);
        if (agent == null) {
            throw new IllegalArgumentException("no simulated agent " + node);
        }
        agent.process().destroyForcibly(); // SIGKILL on Linux
        if (!agent.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("agent " + node + " survived SIGKILL");
        }
    }

    /** Stops one service (SIGTERM, as systemd would); {@link #startService} starts it again on the same port. */
    void stopService(String name) throws InterruptedException {
        stop(services.get(name));
    }

    void startService(String name) {
        relaunch.get(name).run();
    }

    /** What a client of this stack's Kafka and PostgreSQL needs (e.g. {@code deploy/netplane replay}), as env vars. */
    Map<String, String> clientEnvironment() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka, "NETPLANE_TOPICS_PREFIX", settings.topicPrefix(),
                "QUARKUS_DATASOURCE_JDBC_URL", jdbc(DATABASE), "QUARKUS_DATASOURCE_USERNAME", DB_USER,
                "QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORD);
    }

    Connection database() throws SQLException {
        return DriverManager.getConnection(jdbc(DATABASE), DB_USER, DB_PASSWORD);
    }

    int apiPort() {
        return services.get("api-service").port();
    }

    int ipamPort() {
        return services.get("ipam-service").port();
    }

    static String randomHex(int digits) {
        byte[] bytes = new byte[(digits + 1) / 2];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).substring(0, digits);
    }

    /** A missing prerequisite skips the test on a workstation and fails it in CI (a skip there proves nothing). */
    static void require(boolean met, String what) {
        if (met) {
            return;
        }
        String message = "end-to-end test needs " + what;
        if (CI) {
            throw new AssertionFailedError(message + " (CI=true: failing instead of skipping)");
        }
        Assumptions.abort(message);
    }

    private void checkPreconditions() throws IOException {
        require(Files.readAllLines(Path.of("/proc/self/status")).stream().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "root (the agent builds bridges)");
        require(onPath("strace"), "strace on the PATH (it proves the agent forks nothing)");
        require(onPath("ip"), "iproute2 (ip) to look at the kernel");
        for (String module : List.of("ipam-service", "api-service", "node-agent")) {
            require(Files.isRegularFile(Path.of(jar(module))), jar(module) + " (build the reactor first: mvn -B verify from the root)");
        }
        String[] hostPort = kafka.split(":");
        require(reachable(hostPort[0], Integer.parseInt(hostPort[1])), "a Kafka broker at " + kafka + " (-Dnetplane.test.kafka)");
        require(reachable("127.0.0.1", 5432) || !testJdbc.contains("127.0.0.1:5432"), "PostgreSQL for " + testJdbc);
    }

    private String jar(String module) {
        return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar").toString();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String jdbc(String database) {
        return testJdbc.replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
    }

    private void recreateDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc("postgres"), DB_USER, DB_PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE);
            databaseCreated = true;
        }
    }

    private void dropDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc("postgres"), DB_USER, DB_PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    private void launch(String name, Path logs, List<String> command, Map<String, String> extra) throws IOException {
        launch(name, logs, command, extra, freePort());
    }

    private final Map<String, Runnable> relaunch = new LinkedHashMap<>();

    private void launch(String name, Path logs, List<String> command, Map<String, String> extra, int port)
            throws IOException {
        relaunch.put(name, () -> {
            try {
                launch(name, logs, command, extra, port);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        // only this test's settings: nothing inherited may point a service at another stack
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("NETPLANE_") || k.startsWith("KAFKA_"));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        env.put("NETPLANE_TOPICS_PREFIX", settings.topicPrefix());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbc(DATABASE));
        env.put("QUARKUS_DATASOURCE_USERNAME", DB_USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", DB_PASSWORD);
        env.putAll(sharedEnv);
        env.putAll(extra);
        Path log = logs.resolve(name + "-" + settings.node() + ".log");
        // appended: an agent started again keeps what it logged before
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        services.put(name, new Service(name, port, builder.start(), log));
    }

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A free port below the kernel's ephemeral range: ipam hands out published host ports from that range's start
     * (32768, as Docker does), and a service listening on one the kernel picked (port 0) had the agent refuse it
     * with "port is already allocated".
     */
    private static int freePort() throws IOException {
        int below = 32768;
        try {
            // readAllLines, not readString: a proc file says it is empty, and readString then returned only its first byte
            below = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux's proc: the default range's start
        }
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 10000 + random.nextInt(Math.max(1, below - 10000));
            if (HANDED_OUT.contains(port)) { // a service given it may not listen yet
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                HANDED_OUT.add(port);
                return socket.getLocalPort();
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IOException("no free port between 10000 and " + below);
    }

    void awaitHealthy(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (Service s : services.values()) {
            Await.until(timeout, s.name() + " health UP on port " + s.port() + " (log " + s.log() + ")", () -> {
                if (!s.process().isAlive()) {
                    throw new AssertionFailedError(s.name() + " exited with " + s.process().exitValue() + "; log " + s.log()
                            + ":\n" + tail(s.log(), 30));
                }
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/q/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && "UP".equals(Api.parse(r.body()).path("status").asText()) ? true : null;
            });
        }
    }

    /** SIGTERM to the agent's JVM (strace's child), then the execve lines strace wrote. */
    List<String> stopAgentAndReadExecs() throws Exception {
        Service agent = services.get("node-agent");
        stop(agent);
        List<String> execs = new ArrayList<>();
        for (String line : Files.readAllLines(agentTrace)) {
            if (line.contains("execve(") || line.contains("execveat(")) {
                execs.add(line);
            }
        }
        return execs;
    }

    private static void stop(Service s) throws InterruptedException {
        Process p = s.process();
        if (!p.isAlive()) {
            return;
        }
        // under strace, the JVM is strace's child: signal it, and strace ends with it
        Optional<ProcessHandle> jvm = p.toHandle().children().findFirst();
        ProcessHandle target = jvm.orElse(p.toHandle());
        target.destroy();
        try {
            target.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            target.destroyForcibly();
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Stops the services (agent first), removes every link this node marked, drops the database. */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (Service s : List.copyOf(services.values())) {
            if (s.name().startsWith(SIMULATED_AGENT)) {
                try {
                    stop(s);
                } catch (Exception e) {
                    failure = add(failure, e);
                }
            }
        }
        for (String name : List.of("node-agent", "api-service", "ipam-service")) {
            Service s = services.get(name);
            if (s != null) {
                try {
                    stop(s);
                } catch (Exception e) {
                    failure = add(failure, e);
                }
            }
        }
        try {
            List<String> recorded = agentStateDir == null || !Files.isDirectory(agentStateDir) ? List.of()
                    : Files.list(agentStateDir).map(f -> f.getFileName().toString()).toList();
            List<String> deleted = Kernel.deleteNamespaces(recorded);
            if (!deleted.isEmpty()) {
                System.out.println("e2e cleanup: deleted namespaces " + deleted);
            }
        } catch (Exception e) {
            failure = add(failure, e);
        }
        try {
            new ProcessBuilder("nft", "delete", "table", "inet", settings.firewallTable())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            failure = add(failure, e);
        }
        try {
            List<String> deleted = Kernel.deleteLinksMarked("netplane:" + settings.node() + ":");
            if (!deleted.isEmpty()) {
                System.out.println("e2e cleanup: deleted links " + deleted);
            }
        } catch (Exception e) {
            failure = add(failure, e);
        }
        if (databaseCreated) {
            try {
                dropDatabase();
            } catch (Exception e) {
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Exception add(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
