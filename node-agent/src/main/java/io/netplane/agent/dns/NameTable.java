package io.netplane.agent.dns;

import io.netplane.events.data.Endpoint;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who resolves which name, built from the desired network, sandbox and endpoint records of EVERY node (a name
 * must resolve on each node its network reaches). On a user-defined network an endpoint registers its
 * sandbox's name, its aliases and the sandbox's 12-hex short id; {@code name.network} names the same thing on
 * that network only; an address answers a reverse (PTR) lookup with {@code name.network} (Docker's form), on the
 * networks of the asker only. A name resolves as soon as its endpoint record is in desired and stops with its
 * tombstone. The default bridge and the other predefined networks register nothing (Docker: no name resolution
 * there). Immutable: the server reads a snapshot without locks; a change builds a new one.
 */
public final class NameTable {
    public static final NameTable EMPTY = build(List.of(), List.of(), List.of());

    /** The outcome for one name asked by one sandbox. */
    public sealed interface Lookup {
    }

    /** A name of one of the asker's networks, with its IPv4 addresses (possibly none). */
    public record Found(List<Inet4Address> addresses) implements Lookup {
    }

    /** A name of a network the asker is not on: NXDOMAIN, never forwarded. */
    public record Foreign() implements Lookup {
    }

    /** Not a sandbox name anywhere: for the upstream resolvers. */
    public record Unknown() implements Lookup {
    }

    private static final Lookup FOREIGN = new Foreign();
    private static final Lookup UNKNOWN = new Unknown();

    private final Map<String, List<String>> networksOfSandbox; // sandbox id → its user-defined networks, by name
    private final Map<String, String> networkNames; // user-defined network id → name (lower case)
    private final Map<String, Map<String, List<Inet4Address>>> names; // network id → name → addresses
    private final Set<String> known; // every registered name on every network
    private final Set<String> knownNetworks; // every user-defined network name
    private final Map<String, Map<Inet4Address, String>> reverse; // network id → address → "name.network"

    private NameTable(Map<String, List<String>> networksOfSandbox, Map<String, String> networkNames,
                      Map<String, Map<String, List<Inet4Address>>> names, Set<String> known,
                      Map<String, Map<Inet4Address, String>> reverse) {
        this.networksOfSandbox = networksOfSandbox;
        this.networkNames = networkNames;
        this.names = names;
        this.known = known;
        this.reverse = reverse;
        this.knownNetworks = new HashSet<>(networkNames.values());
    }

    public static NameTable build(Collection<Network> networks, Collection<Sandbox> sandboxes,
                                  Collection<Endpoint> endpoints) {
        Map<String, String> networkNames = new HashMap<>();
        for (Network network : networks) {
            if (isUserDefined(network)) {
                networkNames.put(network.id(), lower(network.name()));
            }
        }
        Map<String, Sandbox> sandboxById = new HashMap<>();
        sandboxes.forEach(s -> sandboxById.put(s.id(), s));
        Map<String, Set<String>> attached = new HashMap<>();
        Map<String, Map<String, Set<Inet4Address>>> names = new HashMap<>();
        Set<String> known = new HashSet<>();
        Map<String, Map<Inet4Address, String>> reverse = new HashMap<>();
        for (Endpoint endpoint : endpoints) {
            String networkName = networkNames.get(endpoint.networkId());
            if (networkName == null || endpoint.sandboxId() == null) {
                continue; // predefined network, or its network record is not here yet
            }
            attached.computeIfAbsent(endpoint.sandboxId(), id -> new HashSet<>()).add(endpoint.networkId());
            List<Inet4Address> addresses = ipv4(endpoint.addresses());
            Map<String, Set<Inet4Address>> onNetwork = names.computeIfAbsent(endpoint.networkId(), id -> new HashMap<>());
            Set<String> endpointNames = namesOf(endpoint, sandboxById.get(endpoint.sandboxId()));
            for (String name : endpointNames) {
                onNetwork.computeIfAbsent(name, n -> new LinkedHashSet<>()).addAll(addresses);
                known.add(name);
            }
            // the first name is the sandbox's own (or its short id): Docker answers PTR with it, never an alias
            String host = endpointNames.iterator().next() + "." + networkName;
            Map<Inet4Address, String> byAddress = reverse.computeIfAbsent(endpoint.networkId(), id -> new HashMap<>());
            addresses.forEach(address -> byAddress.putIfAbsent(address, host));
        }
        Map<String, List<String>> networksOfSandbox = new HashMap<>();
        attached.forEach((sandboxId, ids) -> networksOfSandbox.put(sandboxId, ids.stream()
                .sorted(Comparator.comparing(networkNames::get)).toList()));
        Map<String, Map<String, List<Inet4Address>>> frozen = new HashMap<>();
        names.forEach((networkId, byName) -> {
            Map<String, List<Inet4Address>> copy = new HashMap<>();
            byName.forEach((name, addresses) -> copy.put(name, sortedCopy(addresses)));
            frozen.put(networkId, copy);
        });
        return new NameTable(networksOfSandbox, networkNames, frozen, known, reverse);
    }

    /** Predefined networks (bridge, host, none) have no name resolution. */
    public static boolean isUserDefined(Network network) {
        return !network.predefined() && !"host".equals(network.driver()) && !"null".equals(network.driver());
    }

    /** True when the sandbox is on at least one user-defined network: it gets a server at 127.0.0.11. */
    public boolean serves(String sandboxId) {
        return networksOfSandbox.containsKey(sandboxId);
    }

    /** What {@code name} (case-insensitive, trailing dot allowed) means to {@code sandboxId}. */
    public Lookup lookup(String sandboxId, String name) {
        String wanted = lower(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        List<String> mine = networksOfSandbox.getOrDefault(sandboxId, List.of());
        Set<Inet4Address> found = null;
        for (String networkId : mine) {
            Map<String, List<Inet4Address>> onNetwork = names.getOrDefault(networkId, Map.of());
            String networkName = networkNames.get(networkId);
            List<Inet4Address> addresses = onNetwork.get(wanted);
            if (addresses == null && wanted.endsWith("." + networkName)) {
                addresses = onNetwork.get(wanted.substring(0, wanted.length() - networkName.length() - 1));
            }
            if (addresses != null) {
                if (found == null) {
                    found = new LinkedHashSet<>();
                }
                found.addAll(addresses);
            }
        }
        if (found != null) {
            return new Found(List.copyOf(found));
        }
        return isKnownAnywhere(wanted) ? FOREIGN : UNKNOWN;
    }

    /**
     * The name of {@code address} for a PTR answer to {@code sandboxId} ("c1.net1"): a sandbox address on one of
     * the asker's networks; empty otherwise (the upstream resolvers answer, as Docker forwards it).
     */
    public Optional<String> reverse(String sandboxId, Inet4Address address) {
        for (String networkId : networksOfSandbox.getOrDefault(sandboxId, List.of())) {
            String host = reverse.getOrDefault(networkId, Map.of()).get(address);
            if (host != null) {
                return Optional.of(host);
            }
        }
        return Optional.empty();
    }

    private boolean isKnownAnywhere(String name) {
        if (known.contains(name)) {
            return true;
        }
        int dot = name.indexOf('.');
        while (dot > 0) {
            if (knownNetworks.contains(name.substring(dot + 1)) && known.contains(name.substring(0, dot))) {
                return true;
            }
            dot = name.indexOf('.', dot + 1);
        }
        return false;
    }

    private static Set<String> namesOf(Endpoint endpoint, Sandbox sandbox) {
        Set<String> result = new LinkedHashSet<>();
        if (sandbox != null && sandbox.name() != null && !sandbox.name().isBlank()) {
            result.add(lower(sandbox.name()));
        }
        if (endpoint.sandboxId().length() >= 12) {
            result.add(lower(endpoint.sandboxId().substring(0, 12)));
        }
        if (endpoint.aliases() != null) {
            endpoint.aliases().stream().filter(a -> a != null && !a.isBlank()).map(NameTable::lower).forEach(result::add);
        }
        return result;
    }

    private static List<Inet4Address> ipv4(List<EndpointAddress> addresses) {
        List<Inet4Address> result = new ArrayList<>();
        if (addresses == null) {
            return result;
        }
        for (EndpointAddress address : addresses) {
            if (address.family() == Family.ipv4 && address.address() != null) {
                String text = address.address();
                int slash = text.indexOf('/');
                result.add((Inet4Address) DnsSettings.literal(slash < 0 ? text : text.substring(0, slash)));
            }
        }
        return result;
    }

    private static List<Inet4Address> sortedCopy(Set<Inet4Address> addresses) {
        return addresses.stream().sorted(Comparator.comparing(Inet4Address::getHostAddress)).toList();
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
