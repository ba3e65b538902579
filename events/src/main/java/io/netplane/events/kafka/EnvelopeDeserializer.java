package io.netplane.events.kafka;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import org.apache.kafka.common.serialization.Deserializer;

/** Kafka value deserializer for envelopes; a tombstone reads as null. */
public class EnvelopeDeserializer implements Deserializer<Envelope> {
    @Override
    public Envelope deserialize(String topic, byte[] bytes) {
        return bytes == null ? null : EventCodec.shared().decode(bytes);
    }
}
