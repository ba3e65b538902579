package io.netplane.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real docker CLI pointed at api-service's Docker Engine API (DOCKER_HOST), with a config of its own that
 * only sends the stack's admin token ({@code HttpHeaders}), as an operator configures it.
 */
final class DockerCli {
    static final String BINARY = "/usr/local/bin/docker";
    private final String host;
    private final Path config;

    DockerCli(int apiPort) throws IOException {
        this.host = "tcp://127.0.0.1:" + apiPort;
        this.config = Files.createTempDirectory("npe2e-docker-config");
        Files.writeString(config.resolve("config.json"),
                "{\"HttpHeaders\": {\"Authorization\": \"Bearer " + Stack.ADMIN_TOKEN + "\"}}\n");
    }

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DOCKER_HOST", host);
        builder.environment().put("DOCKER_CONFIG", config.toString());
        Path out = Files.createTempFile(config, "out", ".txt");
        Path err = Files.createTempFile(config, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("docker " + String.join(" ", args) + ": no answer within 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
