package io.netplane.agent.dataplane;

import io.netplane.agent.IpCommand;
import io.netplane.agent.Netns;
import io.netplane.agent.TestRequirements;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.NetNamespaces;
import io.netplane.agent.reconcile.KernelThread;
import io.netplane.events.data.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root, on a throwaway "host" namespace the kernel thread lives in: the host, none and container network
 * modes of a sandbox, checked with iproute2 and a server on loopback; removal leaves what is not the sandbox's.
 */
class SandboxModesKernelTest {
    private final String node = "npt-md-" + IpCommand.hex(3);
    private final String tag = IpCommand.hex(3);
    private final String host = "npt-mh-" + tag;
    private final List<String> namespaces = new ArrayList<>(List.of(host));
    private KernelThread kernelThread;
    private SandboxDataplane sandboxes;
    private Path stateDir;

    @BeforeEach
    void throwawayHost() throws Exception {
        TestRequirements.requireRoot();
        Netns.check("ip", "netns", "add", host);
        Netns.check("ip", "-n", host, "link", "add", "uplink", "type", "bridge");
        Netns.check("ip", "-n", host, "link", "set", "lo", "up");
        stateDir = Files.createTempDirectory("netplane-agent-state");
        kernelThread = new KernelThread();
        kernelThread.run(() -> {
            NetNamespaces.enter(new NetNamespace(host));
            sandboxes = new SandboxDataplane(new NamespaceRecords(stateDir, node));
        });
    }

    @AfterEach
    void cleanUp() throws Exception {
        Netns.stopServers();
        try {
            if (kernelThread != null) {
                kernelThread.close();
            }
        } finally {
            for (String netns : namespaces) {
                IpCommand.run("netns", "del", netns);
            }
            if (stateDir != null) {
                try (var files = Files.list(stateDir)) {
                    files.forEach(f -> f.toFile().delete());
                }
                Files.deleteIfExists(stateDir);
            }
        }
    }

    @Test
    void hostModeNamesTheHostNamespaceAndRemovalOnlyUnmountsTheName() {
        String before = links(host);
        Sandbox sandbox = sandbox("h1", "host", null, null);
        SandboxState state = kernelThread.call(() -> sandboxes.create(sandbox));
        String name = "np-" + sandbox.id().substring(0, 12);
        namespaces.add(name);
        assertEquals(name, state.netns(), "ipam gives host mode no name: the agent names it np-<12 hex>");
        assertEquals(before, links(host), "no new interface on the host");
        assertEquals(inode(host), inode(name), "the same namespace as the host");
        assertEquals(before, Netns.run("ip", "netns", "exec", name, "ip", "-br", "link").out(),
                "ip netns exec runs in the host's namespace");
        kernelThread.call(() -> sandboxes.create(sandbox)); // idempotent

        kernelThread.run(() -> sandboxes.remove(sandbox.id(), name));
        assertFalse(Files.exists(NetNamespaces.DIR.resolve(name)), "the name is gone");
        assertEquals(before, links(host), "nothing inside the host's namespace was touched");
        assertEquals(0, Netns.run("ip", "netns", "exec", host, "true").exit(), "the host's namespace lives on");
    }

    @Test
    void noneModeHasOnlyLoopbackUp() {
        Sandbox sandbox = sandbox("n1", "none", "npt-mn-" + tag, null);
        namespaces.add(sandbox.netns());
        kernelThread.call(() -> sandboxes.create(sandbox));
        String links = links(sandbox.netns());
        assertEquals(1, links.lines().count(), links);
        assertTrue(links.startsWith("lo ") && links.contains("UNKNOWN"), links); // lo up reads UNKNOWN in -br
        assertEquals("", Netns.run("ip", "-n", sandbox.netns(), "route", "show").out().strip(), "no route");
        assertTrue(Netns.run("ip", "-n", sandbox.netns(), "-o", "-4", "addr").out().contains("127.0.0.1/8"));
        kernelThread.run(() -> sandboxes.remove(sandbox.id(), sandbox.netns()));
        assertFalse(Files.exists(NetNamespaces.DIR.resolve(sandbox.netns())));
    }

    @Test
    void containerModeSharesTheOwnersNamespaceAndNeverRemovesIt() throws Exception {
        Sandbox owner = sandbox("web1", "bridge", "npt-mo-" + tag, null);
        namespaces.add(owner.netns());
        kernelThread.call(() -> sandboxes.create(owner));
        Sandbox sharer = sandbox("cm1", "container", owner.netns(), owner.id());
        SandboxState shared = kernelThread.call(() -> sandboxes.create(sharer));
        assertEquals(owner.netns(), shared.netns());
        assertEquals(inode(owner.netns()), inode(shared.netns()), "the very same namespace");
        assertEquals(List.of(owner.netns()), NetNamespaces.list().stream().filter(n -> n.contains(tag) && !n.equals(host)).toList(),
                "the sharer made no namespace of its own");

        Netns.httpServer(owner.netns(), 8080, "web1");
        assertTrue(Netns.get(shared.netns(), "127.0.0.1:8080").startsWith("web1 127.0.0.1"),
                "the owner's server on 127.0.0.1 answers the sharer");

        kernelThread.run(() -> sandboxes.remove(sharer.id(), shared.netns()));
        assertTrue(Files.exists(NetNamespaces.DIR.resolve(owner.netns())), "the sharer's removal left the owner's namespace");
        assertTrue(Netns.get(owner.netns(), "127.0.0.1:8080").startsWith("web1"));
        kernelThread.run(() -> sandboxes.remove(owner.id(), owner.netns()));
        assertFalse(Files.exists(NetNamespaces.DIR.resolve(owner.netns())));
    }

    private Sandbox sandbox(String name, String mode, String netns, String containerOf) {
        return new Sandbox(IpCommand.hex(32), name, node, mode, netns, name, containerOf, List.of(), Instant.now());
    }

    private static String links(String netns) {
        return Netns.run("ip", "-n", netns, "-br", "link").out();
    }

    private static String inode(String netns) {
        return Netns.run("stat", "-L", "-c", "%i", NetNamespaces.DIR.resolve(netns).toString()).out().strip();
    }
}
