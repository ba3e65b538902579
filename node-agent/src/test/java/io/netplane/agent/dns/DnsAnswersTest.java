package io.netplane.agent.dns;

import io.netplane.events.data.Network;
import io.netplane.events.data.Sandbox;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.util.List;

import static io.netplane.agent.dns.DnsRecords.endpoint;
import static io.netplane.agent.dns.DnsRecords.sandbox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsAnswersTest {
    private final Network net1 = DnsRecords.userNetwork("net1");
    private final Network net2 = DnsRecords.userNetwork("net2");
    private final Sandbox a = sandbox("a", "n");
    private final Sandbox b = sandbox("b", "n");
    private final Sandbox c = sandbox("c", "n");
    private final NameTable table = NameTable.build(List.of(net1, net2), List.of(a, b, c), List.of(
            endpoint(a, net1, "10.1.0.2"), endpoint(b, net1, "10.1.0.3", "web"), endpoint(c, net2, "10.2.0.2", "web")));

    @Test
    void aLocalNameIsAnAuthoritativeAnswerWithTheQueryIdAndQuestion() throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString("web."), Type.A, DClass.IN));
        Message answer = roundTrip(DnsAnswers.answer(query, table, a.id()));
        assertEquals(query.getHeader().getID(), answer.getHeader().getID());
        assertEquals(Rcode.NOERROR, answer.getRcode());
        assertTrue(answer.getHeader().getFlag(Flags.QR) && answer.getHeader().getFlag(Flags.AA)
                && answer.getHeader().getFlag(Flags.RD));
        assertEquals(query.getQuestion(), answer.getQuestion());
        List<Record> records = answer.getSection(Section.ANSWER);
        assertEquals(1, records.size(), "only net1's web: c is on net2");
        assertEquals("10.1.0.3", ((ARecord) records.get(0)).getAddress().getHostAddress());
        assertEquals(DnsAnswers.TTL, records.get(0).getTTL());
    }

    @Test
    void aaaaOfALocalNameIsNoDataAndAForeignNameIsNxdomain() throws Exception {
        Message aaaa = roundTrip(DnsAnswers.answer(query("b", Type.AAAA), table, a.id()));
        assertEquals(Rcode.NOERROR, aaaa.getRcode());
        assertTrue(aaaa.getSection(Section.ANSWER).isEmpty());
        assertEquals(Rcode.NXDOMAIN, roundTrip(DnsAnswers.answer(query("c", Type.A), table, a.id())).getRcode());
        assertEquals(Rcode.NXDOMAIN, roundTrip(DnsAnswers.answer(query("c.net2", Type.A), table, a.id())).getRcode());
    }

    @Test
    void aReverseLookupOfAnAddressOnTheAskersNetworksIsNameDotNetwork() throws Exception {
        Message ptr = roundTrip(DnsAnswers.answer(query("3.0.1.10.in-addr.arpa", Type.PTR), table, a.id()));
        assertEquals(Rcode.NOERROR, ptr.getRcode());
        assertTrue(ptr.getHeader().getFlag(Flags.AA));
        List<Record> records = ptr.getSection(Section.ANSWER);
        assertEquals(1, records.size());
        assertEquals("b.net1.", ((PTRRecord) records.get(0)).getTarget().toString(), "the sandbox's name, not its alias");
        assertEquals(DnsAnswers.TTL, records.get(0).getTTL());
        // c's address is on net2, which a is not on; an unknown address; a malformed reverse name: all go upstream
        assertNull(DnsAnswers.answer(query("2.0.2.10.in-addr.arpa", Type.PTR), table, a.id()));
        assertNull(DnsAnswers.answer(query("9.9.1.10.in-addr.arpa", Type.PTR), table, a.id()));
        assertNull(DnsAnswers.answer(query("300.0.1.10.in-addr.arpa", Type.PTR), table, a.id()));
        assertEquals("c.net2.", ((PTRRecord) roundTrip(DnsAnswers.answer(query("2.0.2.10.in-addr.arpa", Type.PTR),
                table, c.id())).getSection(Section.ANSWER).get(0)).getTarget().toString());
    }

    @Test
    void otherNamesGoUpstream() throws Exception {
        assertNull(DnsAnswers.answer(query("example.org", Type.A), table, a.id()));
        assertNull(DnsAnswers.answer(query("b", Type.A), NameTable.EMPTY, a.id()));
    }

    @Test
    void forwardingReturnsTheUpstreamAnswerAndNullWhenNoneAnswers() throws Exception {
        try (TestUpstream upstream = new TestUpstream("203.0.113.7")) {
            Message query = query("forwarded.test", Type.A);
            byte[] answer = new UpstreamResolvers(List.of(upstream.address()), 1000).forward(query.toWire());
            assertNotNull(answer);
            Message parsed = new Message(answer);
            assertEquals(query.getHeader().getID(), parsed.getHeader().getID());
            assertEquals("203.0.113.7", ((ARecord) parsed.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        }
        // a loopback port nobody listens on: ICMP port unreachable or the timeout → null → SERVFAIL
        UpstreamResolvers dead = new UpstreamResolvers(List.of(new InetSocketAddress("127.0.0.1", 9)), 300);
        assertNull(dead.forward(query("x.test", Type.A).toWire()));
        Message servfail = roundTrip(DnsAnswers.serverFailure(query("x.test", Type.A)));
        assertEquals(Rcode.SERVFAIL, servfail.getRcode());
    }

    @Test
    void upstreamSettingsParseNumericServersOnly() {
        assertEquals(List.of(new InetSocketAddress("10.0.0.1", 53), new InetSocketAddress("10.0.0.2", 5353)),
                DnsSettings.upstream("10.0.0.1, 10.0.0.2:5353", null));
        assertEquals(List.of(), DnsSettings.upstream("none", null));
        assertEquals(List.of(new InetSocketAddress("fd00::1", 53)), DnsSettings.upstream("[fd00::1]:53", null));
    }

    private static Message query(String name, int type) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, DClass.IN));
    }

    private static Message roundTrip(Message message) throws Exception {
        return new Message(message.toWire());
    }
}
