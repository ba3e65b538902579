package io.netplane.agent.dns;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** resolv.conf as Docker builds it from the host's and the sandbox's --dns, --dns-search, --dns-option. */
class SandboxDnsFilesTest {
    private static final String HOST = "# host\nnameserver 10.255.255.53\nnameserver 10.255.255.54\nsearch corp.test\n"
            + "options edns0\n";

    @Test
    void withoutSettingsTheEmbeddedServersLinesOrACopyOfTheHosts() {
        assertEquals("nameserver 127.0.0.11\noptions ndots:0\n", SandboxDnsFiles.resolvConf(HOST, true, null, null, null));
        assertEquals(HOST, SandboxDnsFiles.resolvConf(HOST, false, List.of(), List.of(), List.of()));
    }

    @Test
    void eachSettingReplacesTheHostsOwnAndTheRestIsKept() {
        assertEquals("nameserver 192.0.2.53\nsearch corp.test\noptions edns0\n",
                SandboxDnsFiles.resolvConf(HOST, false, List.of("192.0.2.53"), null, null));
        assertEquals("nameserver 10.255.255.53\nnameserver 10.255.255.54\nsearch a.test b.test\noptions ndots:2 timeout:1\n",
                SandboxDnsFiles.resolvConf(HOST, false, null, List.of("a.test", "b.test"), List.of("ndots:2", "timeout:1")));
        assertEquals("nameserver 10.255.255.53\nnameserver 10.255.255.54\noptions edns0\n",
                SandboxDnsFiles.resolvConf(HOST, false, null, List.of("."), null), "search . = no search domains");
    }

    @Test
    void theEmbeddedServerIsTheOnlyNameserverAndNdotsZeroIsAddedUnlessGiven() {
        assertEquals("nameserver 127.0.0.11\nsearch corp.test\noptions edns0 ndots:0\n",
                SandboxDnsFiles.resolvConf(HOST, true, List.of("192.0.2.53"), null, null));
        assertEquals("nameserver 127.0.0.11\nsearch corp.test\noptions ndots:3\n",
                SandboxDnsFiles.resolvConf(HOST, true, null, null, List.of("ndots:3")));
    }
}
