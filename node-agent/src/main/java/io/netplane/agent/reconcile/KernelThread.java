package io.netplane.agent.reconcile;

import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
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
    /** Kernel work that only waits long on what nothing else uses any more (see {@link #beside}). */
    private final ScheduledThreadPoolExecutor beside;
    private volatile Thread thread;

    public KernelThread() {
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "netplane-kernel");
            t.setDaemon(true);
            thread = t;
            return t;
        });
        this.beside = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "netplane-kernel-beside");
            t.setDaemon(true);
            return t;
        });
        // started now, by the thread that makes this one: a thread starts in its maker's namespace, and the kernel
        // thread, were it to make it later, might just be inside a sandbox's (enter moves both)
        beside.prestartAllCoreThreads();
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
     * Moves the kernel thread and the thread beside it into {@code namespace} for good (the agent of a simulated
     * host): what either opens from then on lives there.
     */
    public void enter(NetNamespace namespace) {
        run(() -> NetNamespaces.enter(namespace));
        try {
            beside.submit(() -> NetNamespaces.enter(namespace)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while moving the kernel threads to " + namespace, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Runs {@code work} once {@code delay} has passed on a second thread, in the kernel thread's home namespace, beside
     * the kernel thread: for kernel work that waits long but touches only what the kernel thread no longer uses
     * (the deferred veth deletes: 15–30 ms of device teardown per request, during which the kernel thread goes on
     * attaching). Its exception is logged. Work still waiting when this closes runs before it stops.
     */
    public void beside(Duration delay, Runnable work) {
        beside.schedule(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                Logger.getLogger(KernelThread.class).warnf("kernel work beside the kernel thread failed: %s",
                        e.getMessage());
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isAlive() {
        Thread t = thread;
        return !executor.isShutdown() && (t == null || t.isAlive());
    }

    @Override
    public void close() {
        beside.shutdown(); // runs what is scheduled (the default policy), then the kernel thread drains its queue
        try {
            beside.awaitTermination(5, TimeUnit.SECONDS);
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
