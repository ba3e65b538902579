package io.netplane.agent.dataplane;

import io.netplane.agent.kernel.Cidr;
import io.netplane.agent.kernel.KernelException;
import io.netplane.agent.kernel.Link;
import io.netplane.agent.kernel.NetNamespace;
import io.netplane.agent.kernel.Route;
import io.netplane.agent.kernel.Rtnetlink;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Docker's default-route rule for a sandbox: among its attached networks that are not internal (and have an
 * IPv4 gateway), the one whose name sorts first gives the IPv4 default route, via its gateway; internal networks
 * never carry it (Docker 20.10 still gave an internal-only container one; netplane does not). The rule is
 * applied again at every connect and disconnect and at every converge. Call the kernel methods from the kernel
 * thread only.
 */
public final class DefaultRoutes {
    private DefaultRoutes() {
    }

    /** An endpoint of the sandbox as the rule sees it: its network's name and kind, its interface and gateway. */
    public record Attachment(String network, boolean internal, String ifname, String gateway) {
        boolean eligible() {
            return !internal && gateway != null && !gateway.isBlank();
        }
    }

    /** The attachment that gives the default route, if any: the first eligible one by network name. */
    public static Optional<Attachment> choose(Collection<Attachment> attached) {
        return attached.stream().filter(Attachment::eligible).min(Comparator.comparing(Attachment::network));
    }

    /**
     * Makes the namespace's IPv4 default routes (table main) what the rule chose: {@code ip route replace default
     * via GATEWAY dev IFNAME} and every other default route deleted, or all of them deleted when nothing was
     * chosen. Nothing to do when it is so already (one dump); returns whether it changed anything.
     */
    public static boolean converge(NetNamespace namespace, Optional<Attachment> chosen) {
        try (Rtnetlink inside = Rtnetlink.in(namespace)) {
            List<Route> defaults = defaults(inside);
            boolean changed = false;
            if (chosen.isPresent()) {
                String ifname = chosen.get().ifname();
                Link link = inside.links().get(ifname).orElseThrow(() -> new DataplaneException(
                        "default route: " + ifname + " is missing in " + namespace));
                InetAddress gateway = Cidr.literal(chosen.get().gateway());
                if (defaults.size() == 1 && isOnly(defaults.get(0), gateway, link.index())) {
                    return false;
                }
                inside.routes().replaceDefault(gateway, link.index(), ifname);
                changed = true;
                for (Route route : defaults) {
                    if (route.priority() != 0) { // the metric-0 one was just replaced
                        inside.routes().deleteDefault(route);
                    }
                }
            } else {
                for (Route route : defaults) {
                    changed |= inside.routes().deleteDefault(route);
                }
            }
            return changed;
        } catch (KernelException e) {
            throw new DataplaneException("default route in " + namespace + ": " + e.getMessage(), e);
        }
    }

    /**
     * Within an attach, through its socket in the sandbox's namespace: the default route leaves by this endpoint
     * from now on. Returns the undo, which puts back the metric-0 default route that was there (or deletes this
     * one) through a socket of its own (the attach's is closed by then).
     */
    static Runnable replace(Rtnetlink inside, NetNamespace namespace, InetAddress gateway, int index, String ifname) {
        Optional<Route> previous = defaults(inside).stream().filter(r -> r.priority() == 0).findFirst();
        inside.routes().replaceDefault(gateway, index, ifname);
        return () -> {
            try (Rtnetlink again = Rtnetlink.in(namespace)) {
                if (previous.isPresent() && previous.get().gateway() != null && previous.get().outputIndex() != 0) {
                    again.routes().replaceDefault(previous.get().gateway(), previous.get().outputIndex(),
                            "index " + previous.get().outputIndex());
                } else {
                    again.routes().deleteDefault(new Route(null, gateway, index, Route.RT_TABLE_MAIN, 0, 0, 0, null));
                }
            }
        };
    }

    private static List<Route> defaults(Rtnetlink inside) {
        return inside.routes().listIpv4Main().stream().filter(Route::isDefault).toList();
    }

    private static boolean isOnly(Route route, InetAddress gateway, int index) {
        return route.priority() == 0 && gateway.equals(route.gateway()) && route.outputIndex() == index;
    }
}
