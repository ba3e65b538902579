package io.netplane.agent.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tests only: an upstream resolver on 127.0.0.1 (the test's own): {@code forwarded.test} has one address,
 * every other name is NXDOMAIN (as the real upstream says for a default-bridge sandbox's name).
 */
final class TestUpstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final InetAddress answer;
    final AtomicInteger queries = new AtomicInteger();

    TestUpstream(String answer) throws IOException {
        this(answer, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    /** On {@code bind}, a loopback address (e.g. 127.53.x.y:53: a sandbox's own nameserver, always port 53). */
    TestUpstream(String answer, InetSocketAddress bind) throws IOException {
        this.answer = InetAddress.getByName(answer);
        this.socket = new DatagramSocket(bind);
        this.thread = new Thread(this::serve, "test-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                queries.incrementAndGet();
                Message query = new Message(java.util.Arrays.copyOf(buffer, packet.getLength()));
                Message response = new Message(query.getHeader().getID());
                response.getHeader().setFlag(Flags.QR);
                response.getHeader().setFlag(Flags.RA);
                response.addRecord(query.getQuestion(), Section.QUESTION);
                if (query.getQuestion().getName().toString().equals("forwarded.test.")) {
                    response.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 60, answer), Section.ANSWER);
                } else {
                    response.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                byte[] wire = response.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a packet that is not DNS
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
