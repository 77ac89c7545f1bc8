package io.signalhub.cohorts;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import org.apache.camel.Exchange;

/**
 * Reading a cohort's members from Mixpanel's Query API (https://developer.mixpanel.com/reference/query-api): the cohort list for
 * its name, then the Engage query with {@code filter_by_cohort}, page by page on one session. A member
 * matches OneSignal through a profile property ({@code $onesignal_user_id} by default) whose value is
 * the External ID; profiles without it are skipped and counted.
 *
 * <p>Mixpanel allows 60 queries an hour per project: a cohort of more pages than are left is read over
 * several runs. A run stops when the hour's queries are spent (or Mixpanel answers 429) and keeps what
 * it read; the next run goes on from that page of the same session, and only a complete membership is
 * diffed. A session Mixpanel no longer knows starts the pull again from the first page.
 */
public final class MixpanelCohorts {

    /** Exchange property: whether another page of members is to be read. */
    public static final String MORE_PAGES = "signalhubMorePages";
    /** Exchange property: whether this run goes on with a pull an earlier run began (no list call then). */
    public static final String RESUMED = "signalhubResumed";

    /** A pull of a cohort's pages under way: where it is and what it read. */
    private static final class Pull {
        final String name;
        final MemberIds members = new MemberIds();
        String session;
        int page;
        int skipped;
        /** Its next page is the first a later run asks for: the session may have expired meanwhile. */
        boolean resumed;

        Pull(String name) {
            this.name = name;
        }
    }

    private final String projectId;
    private final String user;
    private final String secret;
    private final String userIdProperty;
    private final QueryBudget budget;
    private final Map<String, Pull> pulls = new ConcurrentHashMap<>();

    public MixpanelCohorts(String projectId, String user, String secret, String userIdProperty, int queriesPerHour) {
        this.projectId = projectId;
        this.user = user;
        this.secret = secret;
        this.userIdProperty = userIdProperty;
        this.budget = new QueryBudget(queriesPerHour, System::currentTimeMillis);
    }

    /** A pull an earlier run could not finish goes on where it stopped. */
    public void resume(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        Pull pull = pulls.get(run.cohort.id());
        exchange.setProperty(RESUMED, pull != null);
        if (pull != null) {
            run.name = pull.name;
            run.members = pull.members;
            run.skipped = pull.skipped;
            pull.resumed = true;
            exchange.setProperty(MORE_PAGES, true);
        }
    }

    public void listRequest(Exchange exchange) {
        if (projectId.isEmpty() || user.isEmpty() || secret.isEmpty()) {
            throw new CohortSourceException("Mixpanel cohorts need hub.mixpanel.project-id and the service account"
                    + " (hub.mixpanel.service-account-username, -secret)");
        }
        takeQuery(exchange.getProperty(CohortRun.PROPERTY, CohortRun.class), "the cohort list");
        SourceCalls.prepare(exchange, "POST", "/cohorts/list", "project_id=" + projectId, user, secret, null, "");
    }

    public void onList(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        check(status, body, "the cohort list", null);
        for (JsonNode cohort : Json.readArray(body)) {
            if (cohort.path("id").asText().equals(run.cohort.id())) {
                run.name = cohort.path("name").asText(run.cohort.id());
            }
        }
        if (run.name == null) {
            throw new CohortSourceException("Mixpanel has no cohort " + run.cohort.id() + " in project " + projectId);
        }
        Pull pull = new Pull(run.name);
        pulls.put(run.cohort.id(), pull);
        run.members = pull.members;
        exchange.setProperty(MORE_PAGES, true);
    }

    public void pageRequest(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        Pull pull = pulls.get(run.cohort.id());
        takeQuery(run, "page " + pull.page + " of the Engage query");
        String form = "filter_by_cohort=" + encode("{\"id\":" + run.cohort.id() + "}")
                + "&output_properties=" + encode("[\"" + userIdProperty + "\"]")
                + "&include_all_users=false&page=" + pull.page + (pull.session == null ? "" : "&session_id=" + encode(pull.session));
        SourceCalls.prepare(exchange, "POST", "/engage", "project_id=" + projectId, user, secret,
                "application/x-www-form-urlencoded", form);
    }

    public void onPage(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        Pull pull = pulls.get(run.cohort.id());
        int status = SourceCalls.status(exchange);
        String body = SourceCalls.answer(exchange);
        boolean resumed = pull.resumed;
        pull.resumed = false;
        if (status == 400 && resumed) {
            // the session of an earlier run expired: read the cohort again from its first page
            Pull again = new Pull(pull.name);
            pulls.put(run.cohort.id(), again);
            run.members = again.members;
            run.skipped = 0;
            return;
        }
        check(status, body, "page " + pull.page + " of the Engage query", pull);
        JsonNode answer = Json.readObject(body);
        JsonNode results = answer.path("results");
        for (JsonNode profile : results) {
            String externalId = userIdProperty.equals("$distinct_id") ? profile.path("$distinct_id").asText("")
                    : profile.path("$properties").path(userIdProperty).asText("");
            if (externalId.isBlank() || !pull.members.add(externalId)) {
                run.skipped++;
            }
        }
        pull.skipped = run.skipped;
        pull.session = answer.path("session_id").asText(null);
        pull.page = answer.path("page").asInt() + 1;
        boolean more = !results.isEmpty() && results.size() >= answer.path("page_size").asInt(1000);
        exchange.setProperty(MORE_PAGES, more);
        if (!more) {
            pulls.remove(run.cohort.id());
        }
    }

    private void takeQuery(CohortRun run, String what) {
        if (!budget.tryTake()) {
            Pull pull = pulls.get(run.cohort.id());
            throw new CohortSourceException("the hour's Mixpanel queries (hub.mixpanel.query-rate-limit) are spent before "
                    + what + progress(pull) + "; the next run after " + budget.minutesUntilFree() + " min goes on");
        }
    }

    private static String progress(Pull pull) {
        return pull == null || pull.page == 0 ? "" : " (" + pull.page + " pages, " + pull.members.size() + " members read)";
    }

    private static void check(int status, String body, String what, Pull pull) {
        if (status == 429) {
            throw new CohortSourceException("Mixpanel's query limit (60 queries an hour, 5 at once per project) is used up"
                    + " reading " + what + progress(pull) + "; the next run goes on from there");
        }
        if (status < 200 || status >= 300) {
            throw SourceCalls.failure("Mixpanel", what, status, body);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
