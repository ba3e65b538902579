package io.netplane.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls until a probe returns non-null; the failure names what was awaited and the last error seen. */
final class Await {
    private Await() {
    }

    static <T> T until(Duration timeout, String what, Callable<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                T value = probe.call();
                if (value != null) {
                    return value;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what
                        + (last == null ? "" : " (last error: " + last + ")"), last);
            }
            Thread.sleep(200);
        }
    }
}
