package io.signalhub.cohorts;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import org.apache.camel.Exchange;

/**
 * Reading a cohort's members from Mixpanel's Query API (https://developer.mixpanel.com/reference/query-api): the cohort list for
 * its name, then the Engage query with {@code filter_by_cohort}, page by page on one session. A member
 * matches OneSignal through a profile property ({@code $onesignal_user_id} by default) whose value is
 * the External ID; profiles without it are skipped and counted.
 */
public final class MixpanelCohorts {

    /** Exchange property: whether another page of members is to be read. */
    public static final String MORE_PAGES = "signalhubMorePages";
    private static final String PAGE = "signalhubPage";
    private static final String SESSION = "signalhubSession";

    private final String projectId;
    private final String user;
    private final String secret;
    private final String userIdProperty;

    public MixpanelCohorts(String projectId, String user, String secret, String userIdProperty) {
        this.projectId = projectId;
        this.user = user;
        this.secret = secret;
        this.userIdProperty = userIdProperty;
    }

    public void listRequest(Exchange exchange) {
        if (projectId.isEmpty() || user.isEmpty() || secret.isEmpty()) {
            throw new CohortSourceException("Mixpanel cohorts need hub.mixpanel.project-id and the service account"
                    + " (hub.mixpanel.service-account-username, -secret)");
        }
        SourceCalls.prepare(exchange, "POST", "/cohorts/list", "project_id=" + projectId, user, secret, null, "");
    }

    public void onList(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        check(status, body, "the cohort list");
        for (JsonNode cohort : Json.readArray(body)) {
            if (cohort.path("id").asText().equals(run.cohort.id())) {
                run.name = cohort.path("name").asText(run.cohort.id());
            }
        }
        if (run.name == null) {
            throw new CohortSourceException("Mixpanel has no cohort " + run.cohort.id() + " in project " + projectId);
        }
        run.members = new ArrayList<>();
        exchange.setProperty(PAGE, 0);
        exchange.setProperty(MORE_PAGES, true);
    }

    public void pageRequest(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        int page = exchange.getProperty(PAGE, 0, Integer.class);
        String session = exchange.getProperty(SESSION, String.class);
        String form = "filter_by_cohort=" + encode("{\"id\":" + run.cohort.id() + "}")
                + "&output_properties=" + encode("[\"" + userIdProperty + "\"]")
                + "&include_all_users=false&page=" + page + (session == null ? "" : "&session_id=" + encode(session));
        SourceCalls.prepare(exchange, "POST", "/engage", "project_id=" + projectId, user, secret,
                "application/x-www-form-urlencoded", form);
    }

    public void onPage(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        check(status, body, "the Engage query");
        JsonNode answer = Json.readObject(body);
        JsonNode results = answer.path("results");
        for (JsonNode profile : results) {
            String externalId = userIdProperty.equals("$distinct_id") ? profile.path("$distinct_id").asText("")
                    : profile.path("$properties").path(userIdProperty).asText("");
            if (externalId.isBlank()) {
                run.skipped++;
            } else {
                run.members.add(externalId);
            }
        }
        exchange.setProperty(SESSION, answer.path("session_id").asText(null));
        exchange.setProperty(PAGE, answer.path("page").asInt() + 1);
        exchange.setProperty(MORE_PAGES, !results.isEmpty() && results.size() >= answer.path("page_size").asInt(1000));
    }

    private static void check(int status, String body, String what) {
        if (status == 429) {
            throw new CohortSourceException("Mixpanel's query limit (60 queries an hour, 5 at once per project) is used up"
                    + " reading " + what + "; the next run tries again");
        }
        if (status < 200 || status >= 300) {
            throw SourceCalls.failure("Mixpanel", what, status, body);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
