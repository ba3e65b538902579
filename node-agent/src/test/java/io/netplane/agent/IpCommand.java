package io.netplane.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Tests only: runs iproute2's {@code ip} to see (independently of the agent) what is in the kernel. */
public final class IpCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private IpCommand() {
    }

    public static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    public static int random(int from, int to) {
        return from + RANDOM.nextInt(to - from);
    }

    public static Result run(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("ip " + String.join(" ", args) + " hung");
            }
            return new Result(process.exitValue(), out, err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ip: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void check(String... args) {
        Result result = run(args);
        if (result.exit() != 0) {
            throw new IllegalStateException("ip " + String.join(" ", args) + " failed: " + result.err());
        }
    }

    /** {@code ip -d -j link show dev NAME}, empty when there is no such link. */
    public static Optional<JsonNode> link(String name) {
        Result result = run("-d", "-j", "link", "show", "dev", name);
        if (result.exit() != 0) {
            return Optional.empty();
        }
        return Optional.of(parse(result.out()).get(0));
    }

    /** {@code ip -j addr show dev NAME}'s addr_info array. */
    public static JsonNode addresses(String name) {
        Result result = run("-j", "addr", "show", "dev", name);
        if (result.exit() != 0) {
            throw new IllegalStateException("ip addr show dev " + name + ": " + result.err());
        }
        return parse(result.out()).get(0).path("addr_info");
    }

    public static boolean hasAddress(String name, String address, int prefix) {
        for (JsonNode info : addresses(name)) {
            if (address.equals(info.path("local").asText()) && info.path("prefixlen").asInt() == prefix) {
                return true;
            }
        }
        return false;
    }

    /** Last-resort cleanup: {@code ip link del NAME}, ignoring "does not exist". */
    public static void deleteQuietly(String name) {
        run("link", "del", "dev", name);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("ip printed no JSON: " + json, e);
        }
    }

    public record Result(int exit, String out, String err) {
    }
}
