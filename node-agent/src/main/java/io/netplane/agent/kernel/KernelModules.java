package io.netplane.agent.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whether a kernel module can be used: loaded or built in ({@code /sys/module/<name>}), or installed for the
 * running kernel ({@code modules.builtin}/{@code modules.dep}), so the kernel loads it on the first request
 * (e.g. RTM_NEWLINK of kind vxlan). Files only: the agent never runs modprobe or lsmod.
 */
public final class KernelModules {
    private final Path sysModule;
    private final Path libModules;

    public KernelModules(Path sysModule, Path libModules) {
        this.sysModule = sysModule;
        this.libModules = libModules;
    }

    /** This host's running kernel. */
    public static KernelModules running() {
        return new KernelModules(Path.of("/sys/module"), Path.of("/lib/modules", Uname.read().release()));
    }

    public boolean isUsable(String name) {
        return Files.isDirectory(sysModule.resolve(name))
                || lists(libModules.resolve("modules.builtin"), name)
                || lists(libModules.resolve("modules.dep"), name);
    }

    private static boolean lists(Path index, String name) {
        if (!Files.isReadable(index)) {
            return false;
        }
        // lines like "kernel/drivers/net/vxlan/vxlan.ko.xz: ..." or "kernel/net/bridge/bridge.ko"
        String file = "/" + name + ".ko";
        try (Stream<String> lines = Files.lines(index)) {
            return lines.map(line -> line.contains(":") ? line.substring(0, line.indexOf(':')) : line)
                    .anyMatch(path -> path.endsWith(file) || path.contains(file + "."));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}
