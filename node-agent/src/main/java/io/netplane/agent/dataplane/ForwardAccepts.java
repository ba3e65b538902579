package io.netplane.agent.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * netplane's accepts in the iptables(-nft) {@code ip filter} table. A packet must be accepted by every base chain
 * on its hook (DESIGN.md, Firewall): where Docker (or anything using iptables) left the FORWARD policy at DROP,
 * forwarded sandbox traffic dies there whatever netplane's own table says. So, as netavark and the CNI firewall
 * plugin do, netplane accepts traffic from and to its bridges in {@code DOCKER-USER} when that chain exists (Docker
 * jumps to it first and keeps it for users), else in {@code FORWARD} when that is a forward-hook chain with policy
 * drop, else nowhere. Its rules carry the comment {@code netplane:<table>:<bridge>} and it deletes only rules with
 * that comment (by handle), never anything else. Isolation stays with netplane's table: an accept here only lets
 * the packet on to the other base chains. Pure: the JSON of {@code nft -j list chain} in, nftables text out.
 */
public final class ForwardAccepts {
    static final String DOCKER_USER = "DOCKER-USER";
    static final String FORWARD = "FORWARD";
    private static final List<String> DIRECTIONS = List.of("iifname", "oifname");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ForwardAccepts() {
    }

    /** A rule of ours found in a chain: which bridge it accepts in which direction (iifname/oifname), its handle. */
    record Found(String chain, String bridge, String direction, long handle) {
    }

    /** What {@code ip filter} holds: whether each chain exists (and FORWARD's policy), and the rules we put there. */
    record Chains(boolean dockerUser, boolean forwardDrops, List<Found> ours) {
        /** The chain netplane's accepts belong in, or null when nothing drops forwarded traffic by policy. */
        String target() {
            return dockerUser ? DOCKER_USER : forwardDrops ? FORWARD : null;
        }
    }

    static String comment(String table, String bridge) {
        return "netplane:" + table + ":" + bridge;
    }

    /**
     * Reads the outputs of {@code nft -j list chain ip filter DOCKER-USER} and {@code ... FORWARD} (null when the
     * chain or table does not exist).
     */
    static Chains parse(String table, String dockerUserJson, String forwardJson) {
        List<Found> ours = new ArrayList<>();
        boolean dockerUser = dockerUserJson != null && collect(table, dockerUserJson, ours) != null;
        JsonNode forward = forwardJson == null ? null : collect(table, forwardJson, ours);
        boolean forwardDrops = forward != null && "forward".equals(forward.path("hook").asText())
                && "drop".equals(forward.path("policy").asText());
        return new Chains(dockerUser, forwardDrops, ours);
    }

    /** The chain object of the listing (null if none); adds our rules in it to {@code ours}. */
    private static JsonNode collect(String table, String json, List<Found> ours) {
        JsonNode chain = null;
        String prefix = comment(table, "");
        try {
            for (JsonNode item : JSON.readTree(json).path("nftables")) {
                if (item.has("chain")) {
                    chain = item.get("chain");
                }
                JsonNode rule = item.path("rule");
                String text = rule.path("comment").asText("");
                if (text.startsWith(prefix)) {
                    String direction = rule.path("expr").path(0).path("match").path("left").path("meta").path("key").asText();
                    ours.add(new Found(rule.path("chain").asText(), text.substring(prefix.length()), direction,
                            rule.path("handle").asLong()));
                }
            }
        } catch (IOException e) {
            throw new DataplaneException("firewall: nft printed no JSON for ip filter: " + e.getMessage(), e);
        }
        return chain;
    }

    /**
     * The commands that make {@code ip filter} hold exactly one iifname and one oifname accept per bridge of
     * {@code bridges}, in the target chain: deletes ours that are stale or elsewhere, inserts the missing ones.
     */
    static String change(String table, Chains chains, Collection<String> bridges) {
        String target = chains.target();
        Set<String> wanted = target == null ? Set.of() : new LinkedHashSet<>(bridges);
        Set<String> present = new LinkedHashSet<>(); // bridge + " " + direction
        StringBuilder text = new StringBuilder();
        for (Found found : chains.ours()) {
            boolean keep = found.chain().equals(target) && wanted.contains(found.bridge())
                    && DIRECTIONS.contains(found.direction()) && present.add(found.bridge() + " " + found.direction());
            if (!keep) { // stale, in the wrong chain, changed by hand, or a duplicate
                text.append("delete rule ip filter ").append(found.chain()).append(" handle ").append(found.handle()).append('\n');
            }
        }
        for (String bridge : wanted) {
            String name = FirewallRuleset.quoted(bridge);
            for (String direction : DIRECTIONS) {
                if (present.contains(bridge + " " + direction)) {
                    continue;
                }
                // insert: ahead of DOCKER-USER's RETURN and of whatever FORWARD drops
                text.append("insert rule ip filter ").append(target).append(' ').append(direction).append(' ')
                        .append(name).append(" counter accept comment \"").append(comment(table, bridge)).append("\"\n");
            }
        }
        return text.toString();
    }
}
