package io.netplane.agent;

import io.netplane.events.EventType;
import io.netplane.events.Topic;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

/** The Quarkus application: starts the agent, which joins, and its health checks say UP once it has listed. */
@QuarkusTest
@QuarkusTestResource(value = UniqueAgentConfig.class, restrictToAnnotatedClass = true)
class AgentHealthTest {
    @BeforeAll
    static void requirements() {
        TestRequirements.requireRoot();
        TestRequirements.requireKafka(TestRequirements.kafka());
    }

    @Test
    void readyAndLiveOnceJoinedAndListed() throws Exception {
        await("ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> RestAssured.get("/q/health/ready").statusCode(), is(200));
        RestAssured.get("/q/health/live").then().statusCode(200);
        try (TopicRecorder nodes = new TopicRecorder(TestRequirements.kafka(), Topic.NODES.name(UniqueAgentConfig.PREFIX))) {
            nodes.await("node.joined", e -> e.is(EventType.NODE_JOINED) && UniqueAgentConfig.NODE.equals(e.node()));
            nodes.await("node.heartbeat", e -> e.is(EventType.NODE_HEARTBEAT) && UniqueAgentConfig.NODE.equals(e.node()));
        }
    }
}
