package io.netplane.api.stream;

import io.netplane.api.operations.ApiException;
import io.netplane.events.Envelope;
import io.netplane.events.EventCodec;
import io.netplane.events.EventType;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/v1/events/stream}: the changes and status events as they happen, as server-sent events
 * ({@code event: <type>}, {@code id: <envelope id>}, {@code data: <envelope JSON>}). Starts with an
 * {@code event: subscribed}; from then on nothing this replica reads is missed. No replay: it starts at
 * the moment of subscribing. A subscriber that does not read (1,000 events behind) is disconnected.
 */
@Path("/api/v1/events/stream")
@ApplicationScoped
public class EventStreamResource {
    static final int MAX_BEHIND = 1000;
    private static final Set<String> KINDS = Set.of("network", "sandbox", "endpoint");

    @Inject
    EventFeed feed;

    private record Open(Sse sse, Runnable close) {
    }

    private final Map<SseEventSink, Open> open = new ConcurrentHashMap<>();
    private ScheduledExecutorService keepAlive;

    @PostConstruct
    void start() {
        keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "api-events-keepalive");
            t.setDaemon(true);
            return t;
        });
        // proxies and browsers drop an idle connection: a comment every 15 s keeps it, and finds closed ones
        keepAlive.scheduleWithFixedDelay(this::ping, 15, 15, TimeUnit.SECONDS);
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@QueryParam("kind") List<String> kind, @QueryParam("id") List<String> id,
                       @QueryParam("type") List<String> type, @QueryParam("operation") List<String> operation,
                       @Context SseEventSink sink, @Context Sse sse) {
        EventFilter filter = new EventFilter(split(kind), split(id), split(type), split(operation));
        for (String k : filter.kinds()) {
            if (!KINDS.contains(k)) {
                throw new ApiException(400, "unknown kind \"" + k + "\": use network, sandbox or endpoint");
            }
        }
        for (String t : filter.types()) {
            boolean known = t.endsWith("*") ? Arrays.stream(EventType.values())
                    .anyMatch(e -> e.wireName().startsWith(t.substring(0, t.length() - 1)))
                    : EventType.fromWireName(t).isPresent();
            if (!known) {
                throw new ApiException(400, "unknown event type \"" + t + "\", e.g. network.created, network.ready or network.*");
            }
        }
        AtomicInteger behind = new AtomicInteger();
        EventFeed.Subscription[] subscription = new EventFeed.Subscription[1];
        Runnable close = () -> {
            feed.unsubscribe(subscription[0]);
            open.remove(sink);
            if (!sink.isClosed()) {
                sink.close();
            }
        };
        subscription[0] = feed.subscribe(filter, event -> {
            if (sink.isClosed() || behind.incrementAndGet() > MAX_BEHIND) {
                close.run();
                return;
            }
            sink.send(sse.newEventBuilder().name(event.type()).id(event.id().toString())
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(encode(event)).build())
                    .whenComplete((ok, failure) -> {
                        behind.decrementAndGet();
                        if (failure != null) {
                            close.run();
                        }
                    });
        });
        open.put(sink, new Open(sse, close));
        sink.send(sse.newEventBuilder().name("subscribed").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(Map.of("kind", filter.kinds(), "id", filter.ids(), "type", filter.types(),
                        "operation", filter.operations())).build())
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        close.run();
                    }
                });
    }

    private void ping() {
        open.forEach((sink, stream) -> {
            if (sink.isClosed()) {
                stream.close().run();
            } else {
                sink.send(stream.sse().newEventBuilder().comment("keep-alive").build())
                        .whenComplete((ok, failure) -> {
                            if (failure != null) {
                                stream.close().run();
                            }
                        });
            }
        });
    }

    @PreDestroy
    void stop() {
        keepAlive.shutdownNow();
        open.keySet().forEach(SseEventSink::close);
    }

    private static String encode(Envelope event) {
        return EventCodec.shared().encodeToString(event);
    }

    private static List<String> split(List<String> values) {
        if (values == null) {
            return List.of();
        }
        return values.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::strip).filter(v -> !v.isEmpty())
                .toList();
    }
}
