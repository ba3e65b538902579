package io.netplane.ipam.it;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Runs a test only where the real broker and PostgreSQL answer. With CI=true it always runs, so a missing
 * service fails the test instead of skipping it.
 */
public class RequiresServices implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if ("true".equals(System.getenv("CI"))) {
            return ConditionEvaluationResult.enabled("CI=true: services are required");
        }
        String kafka = System.getProperty("netplane.test.kafka", "127.0.0.1:19092");
        String jdbc = System.getProperty("netplane.test.jdbc", "jdbc:postgresql://127.0.0.1:5432/netplane_test");
        URI db = URI.create(jdbc.substring("jdbc:".length()));
        String kafkaHost = kafka.split(",")[0];
        int colon = kafkaHost.lastIndexOf(':');
        if (!reachable(kafkaHost.substring(0, colon), Integer.parseInt(kafkaHost.substring(colon + 1)))) {
            return ConditionEvaluationResult.disabled("no Kafka at " + kafka + " (set CI=true to fail instead)");
        }
        if (!reachable(db.getHost(), db.getPort() < 0 ? 5432 : db.getPort())) {
            return ConditionEvaluationResult.disabled("no PostgreSQL at " + jdbc + " (set CI=true to fail instead)");
        }
        return ConditionEvaluationResult.enabled("Kafka and PostgreSQL answer");
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
