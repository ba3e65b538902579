package io.netplane.agent.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Loads the native libraries of the kernel package. JNA builds its default search path by running
 * {@code /sbin/ldconfig -p} when {@code NativeLibrary} initialises, unless {@code jna.platform.library.path}
 * is already set; the agent forks nothing, so the path is given here, before the first load.
 */
final class NativeLibraries {
    private static final String SEARCH_PATH_PROPERTY = "jna.platform.library.path";

    private NativeLibraries() {
    }

    static <T extends Library> T load(String name, Class<T> type) {
        System.getProperties().putIfAbsent(SEARCH_PATH_PROPERTY, searchPath(System.getProperty("os.arch")));
        return Native.load(name, type);
    }

    /** Debian's multiarch folders first, then the classic ones. */
    static String searchPath(String osArch) {
        String multiarch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            default -> osArch + "-linux-gnu";
        };
        return String.join(":", "/usr/lib/" + multiarch, "/lib/" + multiarch, "/usr/lib64", "/lib64", "/usr/lib", "/lib");
    }
}
