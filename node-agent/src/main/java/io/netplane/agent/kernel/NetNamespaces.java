package io.netplane.agent.kernel;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Named network namespaces, made and removed in-process exactly as iproute2 does, so {@code ip netns list/exec}
 * see them. setns and unshare change only the calling thread: call these from a dedicated platform thread
 * (the agent's kernel thread), never from a pool or a virtual thread. The thread's own namespace — its
 * "home", whatever it was when the call started — is always restored; if that fails the thread is unusable
 * and an Error is thrown so it dies.
 */
public final class NetNamespaces {
    public static final Path DIR = Path.of("/run/netns");

    private NetNamespaces() {
    }

    /**
     * Equivalent to {@code ip netns add NAME}: /run/netns made a shared mount (so the bind mount propagates to
     * other mount namespaces), the file created exclusively, a new netns unshared on this thread and bind-mounted
     * there, and the thread back home. A failure leaves no file behind.
     */
    public static NetNamespace create(String name) {
        NetNamespace namespace = new NetNamespace(name);
        String operation = "create network namespace " + name;
        prepareDirectory(operation);
        try {
            Files.createFile(namespace.path()); // O_CREAT|O_EXCL
        } catch (FileAlreadyExistsException e) {
            throw new KernelException(operation, Errno.EEXIST, null);
        } catch (IOException e) {
            throw new KernelException(operation, "cannot create " + namespace.path() + ": " + e.getMessage(), e);
        }
        try {
            int home = openOwn(operation);
            try {
                try {
                    LibC.INSTANCE.unshare(LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw new KernelException(operation + ": unshare", e.getErrorCode(), null);
                }
                try {
                    // /proc/self/ns/net would name the main thread's namespace, not this thread's
                    LibC.INSTANCE.mount(threadNamespace(), namespace.path().toString(), "none", LibC.MS_BIND, null);
                } catch (LastErrorException e) {
                    throw new KernelException(operation + ": bind mount", e.getErrorCode(), null);
                }
            } finally {
                returnHome(home);
            }
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(namespace.path());
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return namespace;
    }

    /**
     * Names this thread's own namespace (the host's, for the kernel thread) under /run/netns, equivalent to
     * {@code touch /run/netns/NAME; mount --bind /proc/self/task/TID/ns/net /run/netns/NAME}: {@code ip netns exec
     * NAME} then runs in it. {@link #delete} undoes only the bind mount; the namespace lives on. A failure
     * leaves no file behind.
     */
    public static NetNamespace bindOwn(String name) {
        NetNamespace namespace = new NetNamespace(name);
        String operation = "name this node's network namespace " + name;
        prepareDirectory(operation);
        try {
            Files.createFile(namespace.path()); // O_CREAT|O_EXCL
        } catch (FileAlreadyExistsException e) {
            throw new KernelException(operation, Errno.EEXIST, null);
        } catch (IOException e) {
            throw new KernelException(operation, "cannot create " + namespace.path() + ": " + e.getMessage(), e);
        }
        try {
            LibC.INSTANCE.mount(threadNamespace(), namespace.path().toString(), "none", LibC.MS_BIND, null);
        } catch (LastErrorException e) {
            try {
                Files.deleteIfExists(namespace.path());
            } catch (IOException undo) {
                // the mount failed; a file left behind is unlinked by the next delete
            }
            throw new KernelException(operation + ": bind mount", e.getErrorCode(), null);
        }
        return namespace;
    }

    /** Equivalent to {@code ip netns del NAME}: lazy unmount, then unlink. Idempotent: false if there was none. */
    public static boolean delete(String name) {
        NetNamespace namespace = new NetNamespace(name);
        String operation = "delete network namespace " + name;
        if (!Files.exists(namespace.path())) {
            return false;
        }
        try {
            LibC.INSTANCE.umount2(namespace.path().toString(), LibC.MNT_DETACH);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINVAL) { // EINVAL: not a mount point (a file left by a crash)
                throw new KernelException(operation + ": umount", e.getErrorCode(), null);
            }
        }
        try {
            return Files.deleteIfExists(namespace.path());
        } catch (IOException e) {
            throw new KernelException(operation, "cannot unlink " + namespace.path() + ": " + e.getMessage(), e);
        }
    }

    public static boolean exists(String name) {
        return Files.exists(new NetNamespace(name).path());
    }

    /** Equivalent to {@code ip netns list} (names only). */
    public static List<String> list() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new KernelException("list network namespaces", e.getMessage(), e);
        }
    }

    /** Runs {@code work} with this thread inside {@code namespace}, then returns home. What it opens stays there. */
    public static <T> T inside(NetNamespace namespace, Supplier<T> work) {
        String operation = "enter network namespace " + namespace;
        int target = open(namespace, operation);
        try {
            int home = openOwn(operation);
            try {
                try {
                    LibC.INSTANCE.setns(target, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw new KernelException(operation, e.getErrorCode(), null);
                }
                return work.get();
            } finally {
                returnHome(home);
            }
        } finally {
            close(target);
        }
    }

    /**
     * Moves this thread into {@code namespace} for good: it becomes the thread's home (an agent that owns a
     * simulated host, or a test's throwaway "host"). Equivalent to {@code ip netns exec NAME} for a thread.
     */
    public static void enter(NetNamespace namespace) {
        String operation = "enter network namespace " + namespace;
        int target = open(namespace, operation);
        try {
            LibC.INSTANCE.setns(target, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new KernelException(operation, e.getErrorCode(), null);
        } finally {
            close(target);
        }
    }

    /** A descriptor of the namespace (for IFLA_NET_NS_FD), passed to {@code use} and closed after. */
    public static <T> T withDescriptor(NetNamespace namespace, IntFunction<T> use) {
        int fd = open(namespace, "open network namespace " + namespace);
        try {
            return use.apply(fd);
        } finally {
            close(fd);
        }
    }

    private static void prepareDirectory(String operation) {
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new KernelException(operation, "cannot create " + DIR + ": " + e.getMessage(), e);
        }
        int lock;
        try {
            lock = LibC.INSTANCE.open(DIR.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new KernelException(operation + ": open " + DIR, e.getErrorCode(), null);
        }
        try {
            LibC.INSTANCE.flock(lock, LibC.LOCK_EX); // iproute2 locks it too, so two makers do not race
            try {
                makeShared();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINVAL) {
                    throw e;
                }
                // not a mount point yet: make it one by binding it onto itself, then share it
                LibC.INSTANCE.mount(DIR.toString(), DIR.toString(), "none", LibC.MS_BIND | LibC.MS_REC, null);
                makeShared();
            }
        } catch (LastErrorException e) {
            throw new KernelException(operation + ": make " + DIR + " a shared mount", e.getErrorCode(), null);
        } finally {
            close(lock); // closing drops the flock
        }
    }

    private static void makeShared() {
        LibC.INSTANCE.mount("", DIR.toString(), "none", LibC.MS_SHARED | LibC.MS_REC, null);
    }

    private static String threadNamespace() {
        return "/proc/self/task/" + LibC.INSTANCE.gettid() + "/ns/net";
    }

    private static int openOwn(String operation) {
        try {
            return LibC.INSTANCE.open(threadNamespace(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new KernelException(operation + ": open this thread's namespace", e.getErrorCode(), null);
        }
    }

    private static int open(NetNamespace namespace, String operation) {
        try {
            return LibC.INSTANCE.open(namespace.path().toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new KernelException(operation, e.getErrorCode(), null);
        }
    }

    private static void returnHome(int home) {
        try {
            LibC.INSTANCE.setns(home, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            // the thread now lives in the wrong namespace: every later call would act there
            throw new Error("cannot return the kernel thread to its network namespace: errno " + e.getErrorCode());
        } finally {
            close(home);
        }
    }

    private static void close(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // nothing to undo
        }
    }
}
