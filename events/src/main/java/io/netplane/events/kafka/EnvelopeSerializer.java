package io.netplane.events.kafka;

import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka value serializer for envelopes; a null envelope is a tombstone. */
public class EnvelopeSerializer implements Serializer<Envelope> {
    @Override
    public byte[] serialize(String topic, Envelope envelope) {
        return envelope == null ? null : EventCodec.shared().encode(envelope);
    }
}
