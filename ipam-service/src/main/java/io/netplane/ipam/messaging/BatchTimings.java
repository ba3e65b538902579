package io.netplane.ipam.messaging;

import org.jboss.logging.Logger;

/**
 * Where a consumer's batches spend their time (waiting in poll, decoding + SQL, the commit, the offset commit),
 * logged at most every 10 s while batches flow: the profile that says what to make faster.
 */
final class BatchTimings {
    private static final long EVERY = 10_000_000_000L;

    private final Logger log;
    private final String name;
    private long since = System.nanoTime();
    private long batches;
    private long records;
    private long poll;
    private long apply;
    private long commit;
    private long offsets;

    BatchTimings(Logger log, String name) {
        this.log = log;
        this.name = name;
    }

    void add(int count, long pollNanos, long applyNanos, long commitNanos, long offsetNanos) {
        batches++;
        records += count;
        poll += pollNanos;
        apply += applyNanos;
        commit += commitNanos;
        offsets += offsetNanos;
        long now = System.nanoTime();
        if (now - since < EVERY) {
            return;
        }
        log.infof("%s: %d batches, %d records (%.0f/s) in %.1f s; per record: poll %.0f µs, apply %.0f µs, "
                        + "commit %.0f µs, offsets %.0f µs", name, batches, records, records / ((now - since) / 1e9),
                (now - since) / 1e9, micros(poll), micros(apply), micros(commit), micros(offsets));
        since = now;
        batches = records = poll = apply = commit = offsets = 0;
    }

    private double micros(long nanos) {
        return records == 0 ? 0 : nanos / 1_000.0 / records;
    }
}
