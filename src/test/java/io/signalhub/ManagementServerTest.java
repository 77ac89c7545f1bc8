package io.signalhub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The management port: JMX over HTTP (Jolokia, behind Basic authentication, as Hawtio connects to it), and
 * health open to probes while its details need the admin token.
 */
class ManagementServerTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHubMBeanIsReadWithCredentialsAndRefusedWithoutWhileHealthStaysOpen() throws Exception {
        Path users = Files.createTempFile("jolokia-users", ".properties");
        Files.writeString(users, "user.hawtio = hawtio-secret,admin\n");
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("camel.management.jolokia-enabled", "true");
        settings.put("camel.management.authentication-enabled", "true");
        settings.put("camel.management.basic-properties-file", users.toString());
        try (TestHub hub = TestHub.start(settings)) {
            String basic = "Basic " + Base64.getEncoder().encodeToString("hawtio:hawtio-secret".getBytes(StandardCharsets.UTF_8));
            String search = hub.managementUrl() + "/observe/jolokia/search/io.signalhub:*";
            HttpResponse<String> found = get(search, basic);
            assertEquals(200, found.statusCode(), found.body());
            String mbean = null;
            for (JsonNode name : Json.MAPPER.readTree(found.body()).path("value")) {
                if (name.asText().contains("type=Destination,") && name.asText().contains("name=\"segment\"")) {
                    mbean = name.asText();
                }
            }
            assertTrue(mbean != null, found.body());
            // as Hawtio asks: a JSON request by POST
            String body = Json.MAPPER.createObjectNode().put("type", "read").put("mbean", mbean).put("attribute", "Delivered").toString();
            HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(hub.managementUrl() + "/observe/jolokia"))
                    .header("Authorization", basic).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(0, Json.MAPPER.readTree(read.body()).path("value").asLong(-1), read.body());

            assertEquals(401, get(search, null).statusCode());
            String wrong = "Basic " + Base64.getEncoder().encodeToString("hawtio:guess".getBytes(StandardCharsets.UTF_8));
            assertEquals(401, get(search, wrong).statusCode());
            assertEquals(200, get(hub.managementUrl() + "/observe/health", null).statusCode(), "probes need no credentials");
        }
    }

    @Test
    void healthDetailsNeedTheAdminTokenWhileProbesStayOpen() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            String health = hub.managementUrl() + "/observe/health";
            assertEquals(200, get(health, null).statusCode());
            assertEquals(200, get(health + "/ready", null).statusCode());
            assertEquals(200, get(health + "/live?exposureLevel=oneline", null).statusCode());
            for (String details : new String[] {"?exposureLevel=full", "/ready?exposureLevel=FULL", "?stackTrace=true", "/live?data=true"}) {
                HttpResponse<String> refused = get(health + details, null);
                assertEquals(401, refused.statusCode(), details);
                assertEquals("unauthorized", Json.MAPPER.readTree(refused.body()).path("error").asText(), refused.body());
                assertEquals(401, get(health + details, "Bearer " + TestHub.INGRESS_TOKEN).statusCode(), details);
            }
            HttpResponse<String> full = get(health + "?exposureLevel=full", "Bearer " + TestHub.ADMIN_TOKEN);
            assertEquals(200, full.statusCode(), full.body());
            assertTrue(Json.MAPPER.readTree(full.body()).path("checks").size() > 0, full.body());
        }
    }

    @Test
    void jolokiaWithoutAuthenticationIsRefusedAtStart() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("camel.management.jolokia-enabled", "true");
        String reasons = TestHub.refusedStart(settings);
        assertTrue(reasons.contains("camel.management.authentication-enabled"), reasons);
    }

    @Test
    void anAuthenticatedManagementServerOnTheMainServersPortIsRefusedAtStart() throws Exception {
        Path users = Files.createTempFile("jolokia-users", ".properties");
        Files.writeString(users, "user.hawtio = hawtio-secret,admin\n");
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("camel.management.jolokia-enabled", "true");
        settings.put("camel.management.authentication-enabled", "true");
        settings.put("camel.management.basic-properties-file", users.toString());
        String port = String.valueOf(TestHub.freePort());
        settings.put("camel.server.port", port);
        settings.put("camel.management.port", port);
        String reasons = TestHub.refusedStart(settings);
        assertTrue(reasons.contains("camel.management.port equals camel.server.port"), reasons);
    }
}
