package io.netplane.api.stream;

import io.netplane.events.Envelope;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans the changes and status this replica reads out to the live-update subscribers: every record once, from the
 * moment it started ({@link io.netplane.api.waiting.OutcomeWatcher#offer}).
 */
@ApplicationScoped
public class EventFeed {
    private static final Logger LOG = Logger.getLogger(EventFeed.class);

    public record Subscription(EventFilter filter, Consumer<Envelope> sink) {
    }

    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    public Subscription subscribe(EventFilter filter, Consumer<Envelope> sink) {
        Subscription s = new Subscription(filter, sink);
        subscriptions.add(s);
        return s;
    }

    public void unsubscribe(Subscription s) {
        subscriptions.remove(s);
    }

    public int subscribers() {
        return subscriptions.size();
    }

    /** Called on the reading thread (the watcher's or the projection's) for every record: must not block (sinks only queue). */
    public void offer(Envelope event) {
        if (event == null) {
            return; // a tombstone: there is none on changes or status, but never fail the watcher
        }
        for (Subscription s : subscriptions) {
            try {
                if (s.filter().test(event)) {
                    s.sink().accept(event);
                }
            } catch (RuntimeException e) {
                LOG.debugf("subscriber dropped: %s", e.getMessage());
                subscriptions.remove(s);
            }
        }
    }
}
