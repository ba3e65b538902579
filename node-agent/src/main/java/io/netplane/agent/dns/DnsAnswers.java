package io.netplane.agent.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The embedded server's answers (pure: no sockets). A name of the asker's networks is answered from the
 * {@link NameTable} with A records (AAAA and other types: no data, NOERROR); a sandbox name of a network the
 * asker is not on is NXDOMAIN; a reverse lookup of a sandbox address on the asker's networks gets a PTR record
 * ({@code name.network.}); anything else goes upstream ({@link #answer} returns null).
 */
public final class DnsAnswers {
    /** Docker's embedded server answers with this TTL. */
    static final long TTL = 600;
    /** The largest UDP answer this server sends to an EDNS client. */
    static final int UDP_PAYLOAD = 4096;
    private static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");

    private DnsAnswers() {
    }

    /** The answer to {@code query} from {@code sandboxId}, or null when the upstream resolvers must answer. */
    public static Message answer(Message query, NameTable table, String sandboxId) {
        Record question = query.getQuestion();
        if (query.getHeader().getFlag(Flags.QR)) {
            return reply(query, Rcode.FORMERR);
        }
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return reply(query, Rcode.NOTIMP);
        }
        if (question == null) {
            return reply(query, Rcode.FORMERR);
        }
        if (question.getDClass() != DClass.IN) {
            return null;
        }
        if (question.getType() == Type.PTR) {
            Optional<String> host = reverseAddress(question.getName()).flatMap(a -> table.reverse(sandboxId, a));
            if (host.isPresent()) {
                Message response = reply(query, Rcode.NOERROR);
                response.getHeader().setFlag(Flags.AA);
                try {
                    response.addRecord(new PTRRecord(question.getName(), DClass.IN, TTL,
                            Name.fromString(host.get() + ".")), Section.ANSWER);
                } catch (TextParseException e) {
                    return reply(query, Rcode.SERVFAIL);
                }
                return response;
            }
        }
        NameTable.Lookup lookup = table.lookup(sandboxId, question.getName().toString());
        if (lookup instanceof NameTable.Found found) {
            Message response = reply(query, Rcode.NOERROR);
            response.getHeader().setFlag(Flags.AA);
            if (question.getType() == Type.A || question.getType() == Type.ANY) {
                for (Inet4Address address : found.addresses()) {
                    response.addRecord(new ARecord(question.getName(), DClass.IN, TTL, address), Section.ANSWER);
                }
            }
            return response;
        }
        if (lookup instanceof NameTable.Foreign) {
            return reply(query, Rcode.NXDOMAIN);
        }
        return null;
    }

    /** {@code 4.3.2.1.in-addr.arpa.} → 1.2.3.4; empty for any other name. */
    static Optional<Inet4Address> reverseAddress(Name name) {
        if (name.labels() != 7 || !name.subdomain(IN_ADDR_ARPA)) { // 4 octets + in-addr + arpa + root
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String label = name.getLabelString(3 - i);
            if (!label.matches("[0-9]{1,3}") || Integer.parseInt(label) > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) Integer.parseInt(label);
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** SERVFAIL: the upstream resolvers failed or there are none. */
    public static Message serverFailure(Message query) {
        return reply(query, Rcode.SERVFAIL);
    }

    /** The largest UDP answer {@code query}'s sender accepts: 512 bytes without EDNS. */
    public static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? 512 : Math.max(512, Math.min(opt.getPayloadSize(), UDP_PAYLOAD));
    }

    static Message reply(Message query, int rcode) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.getHeader().setOpcode(query.getHeader().getOpcode());
        response.getHeader().setRcode(rcode);
        if (query.getQuestion() != null) {
            response.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(UDP_PAYLOAD, 0, 0), Section.ADDITIONAL); // EDNS asked, EDNS answered
        }
        return response;
    }
}
