package io.netplane.agent.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kernel parameters under /proc/sys. Those under net/ belong to the network namespace of the thread that
 * opens the file, so call it from the thread that lives where the change is meant (the kernel thread).
 */
public final class Sysctl {
    private static final Path ROOT = Path.of("/proc/sys");

    private Sysctl() {
    }

    /** Equivalent to {@code sysctl -w KEY=VALUE} with KEY as a path ({@code net/ipv4/ip_forward}); skips an equal value. */
    public static void set(String key, String value) {
        Path file = ROOT.resolve(key);
        try {
            if (value.equals(Files.readString(file).strip())) {
                return;
            }
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new KernelException("sysctl " + key.replace('/', '.') + "=" + value, e.getMessage(), e);
        }
    }

    /** Equivalent to {@code sysctl -w KEY=VALUE}, one write and no read (for a key of a device just created). */
    public static void write(String key, String value) {
        try {
            Files.writeString(ROOT.resolve(key), value);
        } catch (IOException e) {
            throw new KernelException("sysctl " + key.replace('/', '.') + "=" + value, e.getMessage(), e);
        }
    }

    public static String get(String key) {
        try {
            return Files.readString(ROOT.resolve(key)).strip();
        } catch (IOException e) {
            throw new KernelException("sysctl " + key.replace('/', '.'), e.getMessage(), e);
        }
    }
}
