package io.netplane.api.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netplane.api.readmodel.EndpointEntry;
import io.netplane.api.readmodel.JsonColumns;
import io.netplane.api.readmodel.NetworkCatalog;
import io.netplane.api.readmodel.NetworkEntry;
import io.netplane.api.readmodel.SandboxEntry;
import io.netplane.api.readmodel.SandboxNodeState;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.Family;
import io.netplane.events.data.SubnetAllocation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Networks from the read model in Docker's shape: the 15 keys of {@code GET /networks/{id}}, key order as Docker's. */
@ApplicationScoped
public class DockerNetworks {
    static final Set<String> LIST_FILTERS = Set.of("name", "id", "driver", "label", "type", "scope", "dangling");
    static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @Inject
    NetworkCatalog catalog;

    /** {@code GET /networks}: Containers is always {} in the list, as Docker's. */
    @Transactional
    public ArrayNode list(DockerFilters filters) {
        ArrayNode out = JSON.createArrayNode();
        List<NetworkEntry> matching = NetworkEntry.live().stream()
                .map(n -> (NetworkEntry) n)
                .filter(n -> filters.exact("driver", n.driver) && filters.match("name", n.name)
                        && filters.match("id", n.id) && filters.labels("label", JsonColumns.stringMap(n.labels))
                        && filters.exact("scope", n.scope))
                .toList();
        List<String> dangling = filters.get("dangling");
        if (!dangling.isEmpty()) {
            if (dangling.size() > 1) {
                throw new DockerException(400, "got more than one value for filter key \"dangling\"");
            }
            boolean danglingOnly = switch (dangling.get(0)) {
                case "1", "true" -> true;
                case "0", "false" -> false;
                default -> throw new DockerException(400,
                        "invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")");
            };
            matching = matching.stream()
                    .filter(n -> danglingOnly == (!n.predefined && EndpointEntry.liveOnNetwork(n.id).isEmpty()))
                    .toList();
        }
        if (filters.contains("type")) {
            List<NetworkEntry> typed = new java.util.ArrayList<>();
            for (String type : filters.get("type")) {
                boolean builtin = switch (type) {
                    case "builtin" -> true;
                    case "custom" -> false;
                    default -> throw new DockerException(500, "invalid filter: 'type'='" + type + "'"); // sic, a 500
                };
                matching.stream().filter(n -> n.predefined == builtin).forEach(typed::add);
            }
            matching = typed;
        }
        matching.forEach(n -> out.add(json(n, false)));
        return out;
    }

    /** {@code GET /networks/{ref}} with the attached running sandboxes. */
    @Transactional
    public ObjectNode inspect(String ref, String scope) {
        NetworkEntry n = catalog.lookup(ref);
        if (scope != null && !scope.isEmpty() && !scope.equals(n.scope)) {
            throw new DockerException(404, "network " + ref + " not found");
        }
        return json(n, true);
    }

    /** Custom networks without endpoints that pass prune's filters, oldest first. */
    @Transactional
    public List<NetworkEntry> unused(DockerFilters filters, Instant until) {
        return NetworkEntry.live().stream()
                .map(n -> (NetworkEntry) n)
                .filter(n -> !n.predefined && EndpointEntry.liveOnNetwork(n.id).isEmpty())
                .filter(n -> filters.labels("label", JsonColumns.stringMap(n.labels))
                        && filters.labelsAbsent("label!", JsonColumns.stringMap(n.labels)))
                .filter(n -> until == null || n.created == null || n.created.isBefore(until))
                .toList();
    }

    /** Needs a transaction. */
    ObjectNode json(NetworkEntry n, boolean withContainers) {
        ObjectNode o = JSON.createObjectNode();
        o.put("Name", n.name);
        o.put("Id", n.id);
        o.put("Created", created(n.created));
        o.put("Scope", n.scope == null ? "local" : n.scope);
        o.put("Driver", n.driver);
        o.put("EnableIPv6", n.enableIpv6);
        ObjectNode ipam = o.putObject("IPAM");
        ipam.put("Driver", "default");
        if (n.predefined) {
            ipam.putNull("Options"); // the daemon's own networks; the CLI sends {} for the others
        } else {
            ipam.putObject("Options");
        }
        ArrayNode config = ipam.putArray("Config");
        for (SubnetAllocation s : JsonColumns.subnets(n.subnets)) {
            ObjectNode c = config.addObject();
            c.put("Subnet", s.subnet());
            if (s.ipRange() != null && !s.ipRange().isEmpty()) {
                c.put("IPRange", s.ipRange());
            }
            // Docker shows the gateway for auto subnets and given gateways only, never on the default bridge
            if (s.gateway() != null && !n.predefined && (s.auto() || s.gatewayGiven())) {
                c.put("Gateway", s.gateway());
            }
        }
        o.put("Internal", n.internal);
        o.put("Attachable", n.attachable);
        o.put("Ingress", false);
        o.putObject("ConfigFrom").put("Network", "");
        o.put("ConfigOnly", false);
        ObjectNode containers = o.putObject("Containers");
        if (withContainers) {
            for (EndpointEntry e : EndpointEntry.liveOnNetwork(n.id)) {
                SandboxEntry sandbox = SandboxEntry.findById(e.sandboxId);
                SandboxNodeState state = SandboxNodeState.findById(e.sandboxId);
                if (sandbox == null || sandbox.removed != null || state == null
                        || !SandboxNodeState.READY.equals(state.state)) {
                    continue; // Docker lists running containers only
                }
                ObjectNode c = containers.putObject(e.sandboxId);
                c.put("Name", sandbox.name);
                c.put("EndpointID", e.id);
                c.put("MacAddress", e.mac == null ? "" : e.mac);
                c.put("IPv4Address", address(e, Family.ipv4));
                c.put("IPv6Address", address(e, Family.ipv6));
            }
        }
        putMap(o.putObject("Options"), JsonColumns.stringMap(n.options));
        putMap(o.putObject("Labels"), JsonColumns.stringMap(n.labels));
        return o;
    }

    private static String address(EndpointEntry e, Family family) {
        for (EndpointAddress a : JsonColumns.addresses(e.addresses)) {
            if ((a.family() == null ? Family.ipv4 : a.family()) == family) {
                return a.address() + "/" + a.prefixLength();
            }
        }
        return "";
    }

    private static void putMap(ObjectNode target, Map<String, String> values) {
        values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> target.put(e.getKey(), e.getValue()));
    }

    /** RFC 3339 with nanoseconds, trailing zeros dropped, as Go writes a time. */
    static String created(Instant created) {
        if (created == null) {
            return "0001-01-01T00:00:00Z";
        }
        String nanos = String.format("%09d", created.getNano()).replaceAll("0+$", "");
        return SECONDS.format(created) + (nanos.isEmpty() ? "" : "." + nanos) + "Z";
    }
}
