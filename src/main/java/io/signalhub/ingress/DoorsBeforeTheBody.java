package io.signalhub.ingress;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.signalhub.monitoring.HubMetrics;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.MainHttpServer;

/**
 * What each ingress refuses before its body is read: Camel's platform-http buffers a whole body
 * before a route runs, so a sender without credentials, a body declared larger than the door takes,
 * or an upload that trickles in would otherwise hold heap (shared with the embedded broker) first.
 * Runs on the HTTP server's event loop ahead of Camel's handlers; the routes still check everything
 * again on the body they get (a signature needs the body, a write key may be in it).
 */
public final class DoorsBeforeTheBody implements StartupListener {

    /**
     * One ingress: its path (and everything below), the name its refusals are counted under, the most
     * bytes it takes, and why a request's headers cannot open it (null when they may).
     */
    public record Door(String path, String ingress, long maxBodyBytes,
                       BiFunction<String, Function<String, String>, String> credentialProblem) {
    }

    private final List<Door> doors;
    private final long readTimeoutMillis;
    private final HubMetrics metrics;

    /** @param readTimeoutMillis how long a body may take to arrive once its headers have */
    public DoorsBeforeTheBody(List<Door> doors, long readTimeoutMillis, HubMetrics metrics) {
        this.doors = List.copyOf(doors);
        this.readTimeoutMillis = readTimeoutMillis;
        this.metrics = metrics;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        if (server == null) {
            return;
        }
        for (Door door : doors) {
            server.getRouter().route(door.path() + "*").order(-1).handler(request -> guard(door, request))
                    // a body cut off by a refusal fails its reading: the sender already has the answer
                    .failureHandler(failed -> {
                        if (!failed.response().ended()) {
                            failed.next();
                        }
                    });
        }
    }

    private void guard(Door door, RoutingContext context) {
        HttpServerRequest request = context.request();
        String problem = door.credentialProblem().apply(request.path(), request::getHeader);
        if (problem != null) {
            refuse(door, context, 401, "unauthorized", "unauthorized", problem);
            return;
        }
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && parsedLength(declared) > door.maxBodyBytes()) {
            refuse(door, context, 413, "too_large", "too_large", "the body is " + declared + " bytes; at most "
                    + door.maxBodyBytes() + " are accepted per request here");
            return;
        }
        long timer = context.vertx().setTimer(readTimeoutMillis, fired -> {
            if (!request.isEnded() && !context.response().ended()) {
                refuse(door, context, 408, "timeout", "timeout", "the body did not arrive within " + readTimeoutMillis
                        + " ms of its headers (hub.ingress.read-timeout-ms)");
            }
        });
        context.addEndHandler(done -> context.vertx().cancelTimer(timer));
        context.next();
    }

    private void refuse(Door door, RoutingContext context, int status, String error, String reason, String problem) {
        metrics.ingress(door.ingress()).rejected(reason);
        // the rest of the body is not read: the connection goes with the answer
        var response = context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close");
        if (status == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        response.end(HttpErrors.body(door.ingress(), "unknown", status, error, List.of(problem)));
    }

    private static long parsedLength(String declared) {
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
