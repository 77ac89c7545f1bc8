package io.signalhub.sandbox;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.signalhub.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Mixpanel fake's Query API holds to the documented limits (https://docs.mixpanel.com/reference/rate-limits), over HTTP. */
class MixpanelQueriesFakeTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final MixpanelFake fake = new MixpanelFake("token");

    @BeforeEach
    void start() throws Exception {
        fake.start(0);
        fake.cohorts().pageSize(1);
        fake.cohorts().cohort(7, "Seven", Map.of("a", Map.of(), "b", Map.of()));
    }

    @AfterEach
    void stop() {
        fake.stop();
    }

    private CompletableFuture<HttpResponse<String>> engage(String form) {
        String auth = Base64.getEncoder().encodeToString((CohortQueries.SERVICE_ACCOUNT + ":" + CohortQueries.SERVICE_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/api/query/engage?project_id=" + CohortQueries.PROJECT_ID))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("filter_by_cohort=%7B%22id%22%3A7%7D" + form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void queriesBeyondTheConcurrentLimitAreRefusedWith429() throws Exception {
        fake.cohorts().concurrentQueries(1);
        fake.cohorts().queryTime(Duration.ofMillis(400));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(engage(""));
        }
        List<Integer> statuses = calls.stream().map(c -> c.join().statusCode()).sorted().toList();
        assertEquals(List.of(200, 429, 429), statuses);
    }

    @Test
    void aSessionPastItsLifetimeServesNoMorePages() throws Exception {
        fake.cohorts().sessionLifetime(Duration.ofMillis(200));
        String session = Json.MAPPER.readTree(engage("").join().body()).path("session_id").asText();
        assertEquals(200, engage("&page=1&session_id=" + session).join().statusCode());
        Thread.sleep(300);
        assertEquals(400, engage("&page=1&session_id=" + session).join().statusCode());
    }
}
