package io.netplane.api.stream;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A server-sent-events reader (JDK only): the events of one stream as they arrive. */
final class SseClient implements AutoCloseable {
    record Event(String name, String id, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;

    /** {@code header}: e.g. {@code Authorization: Bearer …} or {@code Cookie: …}, name and value; may be null. */
    SseClient(URI uri, String headerName, String headerValue) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (headerName != null) {
            request.header(headerName, headerValue);
        }
        response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofLines());
        // only a stream is read as events; an error answer's body is body()'s alone (one reader per stream)
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        if (response.statusCode() == 200) {
            reader.start();
        }
    }

    int status() {
        return response.statusCode();
    }

    String body() {
        StringBuilder text = new StringBuilder();
        response.body().limit(20).forEach(text::append);
        return text.toString();
    }

    private void read() {
        String name = "message";
        String id = null;
        List<String> data = new ArrayList<>();
        try {
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(name, id, String.join("\n", data)));
                    }
                    name = "message";
                    id = null;
                    data.clear();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data.add(line.substring(5).strip());
                }
            }
        } catch (RuntimeException closed) {
            // close() cancelled the stream
        }
    }

    /** The next event that matches within {@code timeout}; events that do not match are dropped. */
    Event await(Predicate<Event> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            Event e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no matching event within " + timeout + "; skipped " + skipped);
            }
            if (match.test(e)) {
                return e;
            }
            skipped.add(e);
        }
    }

    /** What arrived within {@code period}. */
    List<Event> drain(Duration period) throws InterruptedException {
        Thread.sleep(period.toMillis());
        List<Event> out = new ArrayList<>();
        events.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        response.body().close();
        reader.interrupt();
    }
}
