package io.netplane.agent.kernel;

import java.nio.file.Path;

/** A named network namespace as {@code ip netns} knows it: a bind mount at {@code /run/netns/<name>}. */
public record NetNamespace(String name) {
    public NetNamespace {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid network namespace name '" + name + "'");
        }
    }

    /** Accepts "np-3f2a9c0e7b1d" or "/run/netns/np-3f2a9c0e7b1d". */
    public static NetNamespace of(String nameOrPath) {
        String prefix = NetNamespaces.DIR + "/";
        return new NetNamespace(nameOrPath.startsWith(prefix) ? nameOrPath.substring(prefix.length()) : nameOrPath);
    }

    public Path path() { return NetNamespaces.DIR.resolve(name); }

    @Override
    public String toString() { return name; }
}
