package io.netplane.api.docker;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's paths on the native port: every Docker path gets Docker's headers ({@code Api-Version} etc.);
 * {@code /v1.NN/x} is checked against the versions we serve and routed on as {@code /x}, so one resource
 * serves the versioned and the unversioned path.
 */
@ApplicationScoped
public class DockerPaths {
    static final String API_VERSION = "1.41";
    static final String MIN_API_VERSION = "1.12";
    private static final Pattern VERSIONED = Pattern.compile("/v(\\d+)\\.(\\d+)(/.*)");
    private static final Pattern DOCKER = Pattern.compile("/(_ping|version|info|networks)(/.*)?");

    private static final String REFUSAL = "netplane.docker.refusal";

    void routes(@Observes Router router) {
        router.route().order(-1000).handler(this::handle);
        // after authentication (-200) and authorization (-100): a caller without credentials learns that first
        router.route().order(-50).handler(rc -> {
            String refusal = rc.get(REFUSAL);
            if (refusal == null) {
                rc.next();
            } else {
                refuse(rc, refusal);
            }
        });
    }

    private void handle(RoutingContext rc) {
        String path = rc.normalizedPath();
        Matcher versioned = VERSIONED.matcher(path);
        if (versioned.matches()) {
            String rest = versioned.group(3);
            if (!DOCKER.matcher(rest).matches()) {
                rc.next();
                return;
            }
            addHeaders(rc);
            String requested = versioned.group(1) + "." + versioned.group(2);
            int cmp = compare(requested, API_VERSION);
            if (cmp > 0) {
                rc.put(REFUSAL, "client version " + requested + " is too new. Maximum supported API version is " + API_VERSION);
            } else if (compare(requested, MIN_API_VERSION) < 0) {
                rc.put(REFUSAL, "client version " + requested + " is too old. Minimum supported API version is "
                        + MIN_API_VERSION + ", please upgrade your client to a newer version");
            }
            String query = rc.request().query();
            rc.reroute(rest + (query == null ? "" : "?" + query));
            return;
        }
        if (DOCKER.matcher(path).matches()) {
            addHeaders(rc);
        }
        rc.next();
    }

    private static void addHeaders(RoutingContext rc) {
        var headers = rc.response().headers();
        if (!headers.contains("Api-Version")) {
            headers.add("Api-Version", API_VERSION);
            headers.add("Docker-Experimental", "false");
            headers.add("Ostype", "linux");
            headers.set(HttpHeaders.SERVER, DockerEngineResource.server());
        }
    }

    private static void refuse(RoutingContext rc, String message) {
        rc.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(DockerErrors.body(message));
    }

    /** Compares "1.41"-style versions numerically (1.9 < 1.12). */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 2; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
