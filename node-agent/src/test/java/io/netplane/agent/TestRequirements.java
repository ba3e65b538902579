package io.netplane.agent;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a test needs from the machine (root, a Kafka broker). Missing it skips the test on a developer's
 * machine, and FAILS it when {@code CI=true}: in CI a skipped test is a test that cannot fail.
 */
public final class TestRequirements {
    private TestRequirements() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void require(boolean condition, String missing) {
        if (condition) {
            return;
        }
        if (inCi()) {
            Assertions.fail("CI=true and " + missing);
        }
        Assumptions.abort(missing + " (skipped; with CI=true this fails)");
    }

    public static void requireRoot() {
        require(isRoot(), "this test needs root (it changes the kernel's links)");
    }

    public static void requireKafka(String bootstrapServers) {
        require(reachable(bootstrapServers), "no Kafka broker at " + bootstrapServers);
    }

    public static String kafka() {
        return System.getProperty("netplane.test.kafka", "127.0.0.1:19092");
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[2].equals("0")); // effective uid
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean reachable(String bootstrapServers) {
        String first = bootstrapServers.split(",")[0].trim();
        int colon = first.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1))), 2000);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
