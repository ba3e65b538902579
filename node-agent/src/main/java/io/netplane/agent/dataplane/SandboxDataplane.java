package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.kernel.Rtnetlink;
import io.netplane.events.data.Sandbox;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Sandboxes on this node: a named netns ({@code ip netns}-compatible) with {@code lo} up, recorded as this
 * node's in its state folder (bridge and none modes). Host mode: the name is a bind mount of the node's own
 * namespace, recorded too, and removal only unmounts it. Container mode: the other sandbox's namespace, made
 * and recorded by that sandbox; the sharer makes, records and removes nothing. Call it from the kernel thread only.
 */
public final class SandboxDataplane {
    private final NamespaceRecords records;

    public SandboxDataplane(NamespaceRecords records) {
        this.records = records;
    }

    /** Equivalent to {@code ip netns add NS; ip -n NS link set lo up}. Idempotent for a namespace this node made. */
    public SandboxState create(Sandbox sandbox) {
        String mode = sandbox.mode() == null ? "bridge" : sandbox.mode();
        if ("host".equals(mode)) {
            return createHost(sandbox);
        }
        if ("container".equals(mode)) {
            return share(sandbox);
        }
        if (sandbox.netns() == null || sandbox.netns().isBlank()) {
            throw new DataplaneException("sandbox " + sandbox.id() + " has no netns name");
        }
        NetNamespace namespace;
        try {
            namespace = NetNamespace.of(sandbox.netns());
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("sandbox " + sandbox.id() + ": " + e.getMessage(), e);
        }
        Rollback rollback = new Rollback();
        try {
            if (NetNamespaces.exists(namespace.name())) {
                if (!records.owns(namespace.name())) {
                    throw new DataplaneException("network namespace " + namespace + " already exists and is not this "
                            + "node's; netplane leaves it untouched");
                }
            } else {
                records.record(namespace.name(), sandbox.id()); // first: a crash after the mount still finds it
                rollback.add(() -> records.forget(namespace.name()));
                NetNamespaces.create(namespace.name());
                rollback.add(() -> NetNamespaces.delete(namespace.name()));
            }
            try (Rtnetlink inside = Rtnetlink.in(namespace)) {
                Link lo = inside.links().get("lo").orElseThrow(() ->
                        new DataplaneException("network namespace " + namespace + " has no lo"));
                if (!lo.isUp()) {
                    inside.links().setUp(lo.index(), "lo");
                }
            }
            return new SandboxState(sandbox.id(), namespace.name());
        } catch (KernelException | DataplaneException e) {
            throw rollback.undo(new DataplaneException("sandbox " + sandbox.id() + ": " + e.getMessage(), e));
        }
    }

    /** The name under /run/netns a host-mode sandbox gets (ipam gives it none: it has no namespace of its own). */
    public static String hostName(Sandbox sandbox) {
        return sandbox.netns() != null && !sandbox.netns().isBlank() ? sandbox.netns()
                : "np-" + sandbox.id().substring(0, 12);
    }

    private SandboxState createHost(Sandbox sandbox) {
        String name = hostName(sandbox);
        try {
            if (NetNamespaces.exists(name)) {
                if (!sandbox.id().equals(records.all().get(name))) {
                    throw new DataplaneException("network namespace " + name + " already exists and is not this "
                            + "sandbox's; netplane leaves it untouched");
                }
                return new SandboxState(sandbox.id(), name);
            }
            records.record(name, sandbox.id());
            try {
                NetNamespaces.bindOwn(name);
            } catch (KernelException e) {
                records.forget(name);
                throw e;
            }
            return new SandboxState(sandbox.id(), name);
        } catch (KernelException | DataplaneException e) {
            throw new DataplaneException("sandbox " + sandbox.id() + ": " + e.getMessage(), e);
        }
    }

    /** The other sandbox's namespace, which must be there already (it is built first, on this node). */
    private SandboxState share(Sandbox sandbox) {
        if (sandbox.netns() == null || sandbox.netns().isBlank()) {
            throw new DataplaneException("sandbox " + sandbox.id() + " shares container " + sandbox.containerOf()
                    + ", which has no network namespace");
        }
        String name = NetNamespace.of(sandbox.netns()).name();
        if (!NetNamespaces.exists(name)) {
            throw new DataplaneException("sandbox " + sandbox.id() + ": network namespace " + name + " of container "
                    + sandbox.containerOf() + " does not exist");
        }
        return new SandboxState(sandbox.id(), name);
    }

    /**
     * Equivalent to {@code ip netns del NS} for a namespace this node made for this very sandbox; one it did not
     * make, or made for another sandbox (a container-mode sharer passes its owner's), is left alone.
     * Idempotent: nothing there is success.
     */
    public void remove(String sandboxId, String netns) {
        if (netns == null) {
            return;
        }
        String name = NetNamespace.of(netns).name();
        if (!sandboxId.equals(records.all().get(name))) {
            return;
        }
        try {
            NetNamespaces.delete(name);
            records.forget(name);
        } catch (KernelException e) {
            throw new DataplaneException("sandbox " + sandboxId + ": " + e.getMessage(), e);
        }
    }

    public boolean exists(String netns) {
        return netns == null || NetNamespaces.exists(NetNamespace.of(netns).name());
    }

    /** Namespaces this node recorded that are not among {@code desired} (names). */
    public Set<String> stale(Set<String> desired) {
        Set<String> stale = new LinkedHashSet<>(records.all().keySet());
        stale.removeAll(desired);
        return stale;
    }

    /** Deletes a stale namespace by name (it is in this node's records). */
    public void removeStale(String netns) {
        String owner = records.all().get(netns);
        if (owner != null) {
            remove(owner, netns);
        }
    }
}
