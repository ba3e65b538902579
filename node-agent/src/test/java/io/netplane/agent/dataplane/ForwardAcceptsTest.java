package io.netplane.agent.dataplane;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** netplane's accepts in iptables' ip filter, from nft's JSON, without root. */
class ForwardAcceptsTest {
    private static final String DOCKER_USER = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}},
             {"chain": {"family": "ip", "table": "filter", "name": "DOCKER-USER", "handle": 2}},
             {"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 6, "comment": "netplane:t:np-a",
              "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "np-a"}}, {"counter": null}, {"accept": null}]}},
             {"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 7, "comment": "netplane:t:np-gone",
              "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "np-gone"}}, {"counter": null}, {"accept": null}]}},
             {"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 8, "comment": "netplane:other:np-x",
              "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "np-x"}}, {"accept": null}]}},
             {"rule": {"family": "ip", "table": "filter", "chain": "DOCKER-USER", "handle": 3, "expr": [{"return": null}]}}]}""";
    private static final String FORWARD_DROP = """
            {"nftables": [{"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "handle": 1,
             "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}}]}""";

    @Test
    void dockerUserGetsTheMissingAcceptsAndLosesOnlyOurStaleOnes() {
        ForwardAccepts.Chains chains = ForwardAccepts.parse("t", DOCKER_USER, FORWARD_DROP);
        assertEquals("DOCKER-USER", chains.target());
        assertEquals("""
                delete rule ip filter DOCKER-USER handle 7
                insert rule ip filter DOCKER-USER iifname "np-a" counter accept comment "netplane:t:np-a"
                insert rule ip filter DOCKER-USER iifname "np-b" counter accept comment "netplane:t:np-b"
                insert rule ip filter DOCKER-USER oifname "np-b" counter accept comment "netplane:t:np-b"
                """, ForwardAccepts.change("t", chains, List.of("np-a", "np-b")));
    }

    @Test
    void withoutDockerUserAForwardPolicyOfDropGetsThem() {
        ForwardAccepts.Chains chains = ForwardAccepts.parse("t", null, FORWARD_DROP);
        assertEquals("FORWARD", chains.target());
        assertEquals("""
                insert rule ip filter FORWARD iifname "np-a" counter accept comment "netplane:t:np-a"
                insert rule ip filter FORWARD oifname "np-a" counter accept comment "netplane:t:np-a"
                """, ForwardAccepts.change("t", chains, List.of("np-a")));
    }

    @Test
    void noDropNoRulesAndOursGo() {
        ForwardAccepts.Chains none = ForwardAccepts.parse("t", null, FORWARD_DROP.replace("\"drop\"", "\"accept\""));
        assertNull(none.target());
        assertEquals("", ForwardAccepts.change("t", none, List.of("np-a")));
        assertEquals("", ForwardAccepts.change("t", ForwardAccepts.parse("t", null, null), List.of("np-a")));
    }
}
