package io.netplane.agent.dataplane;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo of every step done so far, run newest first when a later step fails (the CNI plugins'
 * {@code defer if !success}). An undo that fails is attached to the original error as suppressed.
 */
final class Rollback {
    interface Undo {
        void run() throws Exception;
    }

    private final Deque<Undo> undos = new ArrayDeque<>();

    void add(Undo undo) {
        undos.push(undo);
    }

    /** Undoes everything registered, newest first, and returns {@code failure} with any undo errors attached. */
    <E extends Throwable> E undo(E failure) {
        while (!undos.isEmpty()) {
            try {
                undos.pop().run();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }
}
