package io.signalhub.monitoring;

import java.util.Locale;

import io.signalhub.Json;
import io.signalhub.ingress.BearerToken;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;

/**
 * Keeps the management server's health answers to states and the hub's own messages unless the admin
 * token is presented. Camel's health endpoint shows every check's error chain at
 * {@code ?exposureLevel=full}, stack traces at {@code ?stackTrace=true} and check data at
 * {@code ?data=true}: a vendor's error text (user ids in it), broker addresses, class names. Probes
 * (Kubernetes, compose, Prometheus) ask without them and stay unauthenticated.
 */
public final class HealthDetailsGuard implements StartupListener {

    private final BearerToken adminToken;

    public HealthDetailsGuard(BearerToken adminToken) {
        this.adminToken = adminToken;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || !server.isHealthCheckEnabled()) {
            return;
        }
        // ahead of Camel's own handlers on the health path and its /live and /ready
        server.getRouter().route(server.getHealthPath() + "*").order(-1).handler(this::guard);
    }

    private void guard(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (!asksForDetails(request)) {
            context.next();
            return;
        }
        String problem = adminToken.problemWith(request.getHeader("Authorization"));
        if (problem == null) {
            context.next();
            return;
        }
        var body = Json.MAPPER.createObjectNode().put("error", "unauthorized");
        body.putArray("problems").add("health details (exposureLevel=full, stackTrace, data) need the admin token: " + problem);
        context.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                .putHeader("WWW-Authenticate", "Bearer").end(body.toString());
    }

    static boolean asksForDetails(HttpServerRequest request) {
        return "full".equals(lower(request.getParam("exposureLevel"))) || "true".equals(lower(request.getParam("stackTrace")))
                || "true".equals(lower(request.getParam("data")));
    }

    private static String lower(String value) {
        return value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    }
}
