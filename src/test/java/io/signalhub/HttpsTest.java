package io.signalhub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The hub's own TLS (Camel's global SSL context on the HTTP server): Event Streams needs a public HTTPS URL. */
class HttpsTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @Test
    void theIngressAnswersOverHttpsWithTheConfiguredCertificateAndNotInPlainText() throws Exception {
        TestCertificates certificates = TestCertificates.create();
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("camel.ssl.enabled", "true");
        settings.put("camel.ssl.key-store", "file:" + certificates.keystore());
        settings.put("camel.ssl.key-store-type", "PKCS12");
        settings.put("camel.ssl.keystore-password", certificates.password());
        settings.put("camel.server.use-global-ssl-context-parameters", "true");
        try (TestHub hub = TestHub.start(settings)) {
            HttpClient https = HttpClient.newBuilder().sslContext(certificates.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
            String url = hub.baseUrl().replace("http://", "https://") + "/onesignal/events";
            HttpResponse<String> accepted = https.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + TestHub.INGRESS_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(DataOutEndToEndTest.flatEvent("tls-1", "message.push.sent", "u1")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, accepted.statusCode(), accepted.body());
            await("delivered", Duration.ofSeconds(30), () -> FAKES.segment().accepted().size() == 1);
            // a client that does not trust the certificate, and plain HTTP, get nowhere
            assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()));
            assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(hub.baseUrl() + "/onesignal/events")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }
}
