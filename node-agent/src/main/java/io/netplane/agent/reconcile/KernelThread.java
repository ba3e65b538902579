package io.netplane.agent.reconcile;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one platform thread that does every kernel call of the agent, in order. One writer is as fast as
 * several (rtnl_lock serialises them), and namespace work later needs a thread that is never shared.
 */
public final class KernelThread implements AutoCloseable {
    private final ExecutorService executor;
    /** Only hands work to the kernel thread when its delay is over; never touches the kernel itself. */
    private final ScheduledThreadPoolExecutor timer;
    private volatile Thread thread;

    public KernelThread() {
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "netplane-kernel");
            t.setDaemon(true);
            thread = t;
            return t;
        });
        this.timer = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "netplane-kernel-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code work} on the kernel thread and waits for it; its exception is rethrown as is. */
    public <T> T call(Callable<T> work) {
        try {
            return executor.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the kernel thread", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Queues {@code work} to run next on the kernel thread without waiting for it (before any work queued after
     * it); its exception is logged.
     */
    public void later(Runnable work) {
        executor.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                Logger.getLogger(KernelThread.class).warnf("kernel work failed: %s", e.getMessage());
            }
        });
    }

    /**
     * {@link #later(Runnable)} once {@code delay} has passed, so work that piles up meanwhile can be done in one go
     * (the deferred veth deletes). Work still waiting when the thread closes runs before it stops.
     */
    public void after(Duration delay, Runnable work) {
        timer.schedule(() -> later(work), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isAlive() {
        Thread t = thread;
        return !executor.isShutdown() && (t == null || t.isAlive());
    }

    @Override
    public void close() {
        timer.shutdown(); // runs what is scheduled (the default policy), then the kernel thread drains its queue
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
