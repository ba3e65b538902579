package io.netplane.api.docker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the real Docker CLI against a netplane API ({@code DOCKER_HOST=tcp://host:port}, an empty config
 * dir so no user context or credential helper is used) and compares what it printed with a capture taken
 * against real Docker. JDK only, so other modules' tests (the end-to-end test) can copy or reuse it.
 */
public final class DockerCli {
    public static final Path BINARY = Path.of(System.getProperty("netplane.docker.cli", "/usr/local/bin/docker"));
    private static final Pattern ID64 = Pattern.compile("\\b[0-9a-f]{64}\\b");
    private static final Pattern ID12 = Pattern.compile("\\b[0-9a-f]{12}\\b");
    private static final Pattern RFC3339 = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    private static final Pattern GO_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? \\+0000 UTC");

    private final String host;
    private final Path config;
    private final Map<String, String> extraEnv;

    /** {@code host}: e.g. {@code tcp://127.0.0.1:8480}; the CLI sends the test admin token. */
    public DockerCli(String host) {
        this(host, Map.of());
    }

    public DockerCli(String host, Map<String, String> extraEnv) {
        this(host, extraEnv, io.netplane.api.TestCredentials.ADMIN_TOKEN);
    }

    /**
     * {@code token}: written into the config dir's config.json as {@code HttpHeaders.Authorization: Bearer …},
     * the way an operator gives the CLI a netplane token; null → no config.json, the CLI sends no credential.
     */
    public DockerCli(String host, Map<String, String> extraEnv, String token) {
        this.host = host;
        this.extraEnv = extraEnv;
        try {
            config = Files.createTempDirectory("netplane-docker-config");
            if (token != null) {
                Files.writeString(config.resolve("config.json"),
                        "{\"HttpHeaders\": {\"Authorization\": \"Bearer " + token + "\"}}\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a command printed and its exit status. {@link #output()} is stdout then stderr, as the captures hold them. */
    public record Result(List<String> command, String stdout, String stderr, int exit) {
        public String output() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "$ " + String.join(" ", command) + "\n" + output() + "(exit status " + exit + ")";
        }
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** {@code docker <args>}, e.g. {@code run("network", "ls")}; waits at most a minute. */
    public Result run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(BINARY.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DOCKER_HOST", host);
        builder.environment().put("DOCKER_CONFIG", config.toString());
        builder.environment().remove("DOCKER_CONTEXT");
        builder.environment().remove("DOCKER_API_VERSION");
        builder.environment().putAll(extraEnv);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = read(process.getInputStream());
            CompletableFuture<String> err = read(process.getErrorStream());
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("docker " + String.join(" ", args) + " did not finish within 60 s");
            }
            List<String> shown = new ArrayList<>(List.of("docker"));
            shown.addAll(Arrays.asList(args));
            return new Result(shown, out.join(), err.join(), process.exitValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs on another thread: for calls the test must answer (as ipam and the agent) while the CLI waits. */
    public CompletableFuture<Result> start(String... args) {
        return CompletableFuture.supplyAsync(() -> run(args));
    }

    private static CompletableFuture<String> read(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A capture of the real CLI against real Docker: what it printed, the command line and the exit status. */
    public record Capture(String output, String command, int exit) {
    }

    /**
     * Reads a {@code cli-*.out.txt} capture (output, then {@code $ command}, then {@code (exit status N)}) from
     * the classpath folder {@code docker-captures/}.
     */
    public static Capture capture(String name) {
        try (InputStream in = DockerCli.class.getResourceAsStream("/docker-captures/" + name + ".out.txt")) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int commandAt = text.startsWith("$ ") ? 0 : text.lastIndexOf("\n$ ") + 1;
            int exitAt = text.lastIndexOf("(exit status ");
            String command = text.substring(commandAt + 2, text.indexOf('\n', commandAt));
            int exit = Integer.parseInt(text.substring(exitAt + 13, text.indexOf(')', exitAt)));
            return new Capture(text.substring(0, commandAt), command, exit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ids and timestamps differ from run to run: replaced by placeholders before comparing. */
    public static String normalize(String text) {
        String t = ID64.matcher(text).replaceAll("<id>");
        t = ID12.matcher(t).replaceAll("<short-id>");
        t = RFC3339.matcher(t).replaceAll("<time>");
        return GO_TIME.matcher(t).replaceAll("<time>");
    }
}
