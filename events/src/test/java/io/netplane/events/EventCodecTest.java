package io.netplane.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.netplane.events.data.NetworkRemoveRequested;
import io.netplane.events.data.UnknownData;
import io.netplane.events.kafka.EnvelopeDeserializer;
import io.netplane.events.kafka.EnvelopeSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class EventCodecTest {
    private final EventCodec codec = EventCodec.shared();

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyTypeRoundTrips(EventType type) {
        Envelope sample = Samples.envelope(type);
        Envelope back = codec.decode(codec.encode(sample));
        assertEquals(sample, back);
        assertEquals(type.dataType(), back.data().getClass());
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyTypeMatchesItsGoldenJson(EventType type) throws IOException {
        String golden = golden(type);
        JsonNode expected = codec.json().readTree(golden);
        JsonNode actual = codec.json().readTree(codec.encode(Samples.envelope(type)));
        assertEquals(expected, actual, "golden/" + type.wireName() + ".json differs from the encoding");
        assertEquals(Samples.envelope(type), codec.decode(golden));
    }

    @Test
    void unknownFieldsAreIgnored() {
        String json = """
                {"id":"6f1c1d5e-0c1a-4a53-9e6a-1c9d7d1f2a3b","type":"network.remove.requested","version":1,
                 "time":"2026-11-28T04:00:00Z","comingLater":{"x":1},
                 "data":{"networkId":"abc","reason":"a field from a newer writer"}}""";
        Envelope e = codec.decode(json);
        assertEquals(new NetworkRemoveRequested("abc"), e.data());
    }

    @Test
    void aSandboxWrittenBeforeTheDnsFieldsDecodesWithNulls() {
        String json = """
                {"id":"6f1c1d5e-0c1a-4a53-9e6a-1c9d7d1f2a3b","type":"sandbox.desired","version":1,
                 "time":"2026-11-28T04:00:00Z","data":{"id":"abc","name":"c1","node":"n","mode":"bridge",
                 "netns":"np-abc","hostname":"abc","containerOf":null,"dns":[],"created":"2026-11-28T04:00:00Z"}}""";
        assertEquals(new io.netplane.events.data.Sandbox("abc", "c1", "n", "bridge", "np-abc", "abc", null, java.util.List.of(),
                java.time.Instant.parse("2026-11-28T04:00:00Z")), codec.decode(json).data());
    }

    @Test
    void aNodeJoinedWrittenBeforeCapabilitiesDecodesWithNull() {
        String json = """
                {"id":"6f1c1d5e-0c1a-4a53-9e6a-1c9d7d1f2a3b","type":"node.joined","version":1,
                 "time":"2026-11-28T04:00:00Z","data":{"node":"n","underlayAddress":"192.0.2.10","routedSubnets":[],
                 "versions":{"netplane":"0.1.0"},"hostname":"h"}}""";
        assertEquals(new io.netplane.events.data.NodeJoined("n", "192.0.2.10", java.util.List.of(),
                java.util.Map.of("netplane", "0.1.0"), "h", null), codec.decode(json).data());
    }

    @Test
    void aNewerVersionIsReadWithTheNewestKnownRecord() {
        String json = """
                {"id":"6f1c1d5e-0c1a-4a53-9e6a-1c9d7d1f2a3b","type":"network.remove.requested","version":7,
                 "time":"2026-11-28T04:00:00Z","data":{"networkId":"abc"}}""";
        Envelope e = codec.decode(json);
        assertEquals(7, e.version());
        assertEquals(new NetworkRemoveRequested("abc"), e.data(NetworkRemoveRequested.class));
    }

    @Test
    void anUnknownTypeKeepsItsDataRaw() {
        String json = """
                {"id":"6f1c1d5e-0c1a-4a53-9e6a-1c9d7d1f2a3b","type":"volume.created","version":1,
                 "time":"2026-11-28T04:00:00Z","data":{"name":"v1"}}""";
        Envelope e = codec.decode(json);
        assertEquals("v1", e.data(UnknownData.class).raw().get("name").asText());
    }

    @Test
    void garbageIsAFormatErrorThatSaysWhy() {
        EventFormatException notJson = assertThrows(EventFormatException.class,
                () -> codec.decode("{not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(notJson.getMessage().startsWith("not a JSON event"), notJson.getMessage());
        EventFormatException noType = assertThrows(EventFormatException.class, () -> codec.decode("{\"id\":\"x\"}"));
        assertEquals("event without a type", noType.getMessage());
        EventFormatException badData = assertThrows(EventFormatException.class, () -> codec.decode("""
                {"id":"6f1c1d5e-0c1a-4a53-9e6a-1c9d7d1f2a3b","type":"network.ready","version":1,
                 "time":"2026-11-28T04:00:00Z","data":{"ifindex":"not a number"}}"""));
        assertTrue(badData.getMessage().startsWith("event network.ready v1:"), badData.getMessage());
    }

    @Test
    void theWrongDataForATypeIsRefusedWhenWriting() {
        assertThrows(IllegalArgumentException.class,
                () -> Envelope.of(EventType.NETWORK_CREATED, Subject.network("x"), new NetworkRemoveRequested("x"), "a"));
    }

    @Test
    void causedByKeepsTheCorrelationAndNamesTheCause() {
        Envelope intent = Envelope.of(EventType.NETWORK_REMOVE_REQUESTED, Subject.network("n"),
                new NetworkRemoveRequested("n"), "alice");
        assertEquals(intent.id().toString(), intent.correlationId());
        Envelope fact = Envelope.causedBy(intent, EventType.NETWORK_REMOVED, Subject.network("n"),
                Samples.of(EventType.NETWORK_REMOVED));
        assertEquals(intent.correlationId(), fact.correlationId());
        assertEquals(intent.id().toString(), fact.causationId());
        assertEquals("alice", fact.actor());
    }

    @Test
    void kafkaSerdeTreatsNullAsATombstone() {
        try (var ser = new EnvelopeSerializer(); var de = new EnvelopeDeserializer()) {
            assertNull(ser.serialize("t", null));
            assertNull(de.deserialize("t", null));
            Envelope e = Samples.envelope(EventType.ENDPOINT_DESIRED);
            assertEquals(e, de.deserialize("t", ser.serialize("t", e)));
        }
    }

    private static String golden(EventType type) throws IOException {
        String name = "/golden/" + type.wireName() + ".json";
        try (InputStream in = EventCodecTest.class.getResourceAsStream(name)) {
            if (in == null) {
                // First run for a new type: write the file for review, and fail so it is looked at.
                Path out = Path.of("src/test/resources" + name);
                Files.writeString(out, EventCodec.shared().json().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(EventCodec.shared().json().readTree(
                                EventCodec.shared().encode(Samples.envelope(type)))) + "\n");
                fail("no golden file for " + type.wireName() + "; wrote " + out + " — review it and run again");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
