package io.netplane.api.audit;

import com.fasterxml.jackson.annotation.JsonRawValue;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A page as JSON: {@code {"events":[{"topic","partition","offset","logTime","event":{envelope}}],"next"}}. */
public record AuditView(List<Item> events,
                        @Schema(description = "pass as cursor= (with the same parameters) for the next page; null at the end")
                        String next) {

    public record Item(String topic, int partition, long offset,
                       @Schema(description = "the record's Kafka timestamp: what since/until and the order use")
                       String logTime,
                       @Schema(description = "the envelope as on Kafka: id, type, version, time, correlationId, causationId, actor, subject, node, data",
                               implementation = Object.class)
                       @JsonRawValue String event) {
    }

    public static AuditView of(AuditPage page) {
        return new AuditView(page.events().stream().map(e -> new Item(e.topic(), e.partition(), e.offset(),
                Instant.ofEpochMilli(e.logTime()).toString(), e.envelope())).toList(),
                page.next() == null ? null : page.next().encode());
    }
}
