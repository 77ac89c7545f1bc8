package io.signalhub.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.cohorts.CohortSync;
import io.signalhub.delivery.DestinationControls;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.monitoring.DestinationStats;
import io.signalhub.monitoring.HubMetrics;
import io.signalhub.monitoring.IngressStats;
import org.quartz.CronExpression;

/**
 * What the status page shows ({@code GET /admin/status}): per destination its state, rate, lag,
 * failures and dead letters with the actions that apply; the ingress doors; Data In; the cohorts'
 * latest runs and the next scheduled one; and, first, what is wrong, in words.
 */
public final class HubStatus {

    /** A destination failing this long, or this far behind, is named at the top of the page. */
    static final long ATTENTION_SECONDS = 60;
    static final long BEHIND_SECONDS = 300;

    private final HubMetrics metrics;
    private final DestinationControls controls;
    private final Map<String, String> replayPaths;
    private final CohortSync cohorts;
    private final CronExpression schedule;
    private final boolean sandbox;
    private final DeliveryRates rates;
    private final Supplier<Instant> clock;
    private final byte[] page;

    /**
     * @param replayPaths per destination, the admin path that replays its dead letters
     * @param schedule    the cohort sync's cron (hub.cohorts.schedule)
     */
    public HubStatus(HubMetrics metrics, DestinationControls controls, Map<String, String> replayPaths, CohortSync cohorts,
                     String schedule, boolean sandbox, DeliveryRates rates, Supplier<Instant> clock) throws ParseException {
        this.metrics = metrics;
        this.controls = controls;
        this.replayPaths = Map.copyOf(replayPaths);
        this.cohorts = cohorts;
        this.schedule = new CronExpression(schedule);
        this.sandbox = sandbox;
        this.rates = rates;
        this.clock = clock;
        try (InputStream in = HubStatus.class.getResourceAsStream("/status/index.html")) {
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("the status page is missing from the jar", e);
        }
    }

    /** {@code GET /status}: the page itself, which holds no data. */
    public byte[] page() {
        return page;
    }

    /** Called by the status route's timer: one sample of every destination's delivered counter. */
    public void sample() {
        long now = clock.get().toEpochMilli();
        metrics.destinations().forEach((name, stats) -> rates.sample(name, now, stats.getDelivered()));
    }

    public String json() {
        Instant now = clock.get();
        ObjectNode status = Json.MAPPER.createObjectNode();
        status.put("generatedAt", now.toString()).put("sandbox", sandbox);
        List<ObjectNode> problems = new ArrayList<>();

        ArrayNode destinations = status.putArray("destinations");
        new TreeMap<>(metrics.destinations()).forEach((name, stats) -> destinations.add(destination(name, stats, now, problems)));

        ObjectNode ingress = status.putObject("ingress");
        new TreeMap<>(metrics.ingresses()).forEach((name, stats) -> ingress.set(name, ingress(stats)));

        ObjectNode dataIn = status.putObject("dataIn");
        new TreeMap<>(metrics.dataIns()).forEach((name, stats) -> dataIn.set(name, dataIn(stats)));

        ObjectNode cohortSync = status.putObject("cohortSync");
        Date next = schedule.getNextValidTimeAfter(Date.from(now));
        cohortSync.put("nextRun", next == null ? null : next.toInstant().toString());
        JsonNode list = Json.readObject(cohorts.listAnswer()).path("cohorts");
        cohortSync.set("cohorts", list);
        for (JsonNode cohort : list) {
            JsonNode latest = cohort.path("reports").path(0);
            if (!latest.isMissingNode() && !latest.path("succeeded").asBoolean(true)) {
                problem(problems, "error", "The " + cohort.path("source").asText() + " cohort " + cohort.path("id").asText()
                        + " failed its latest sync (" + latest.path("started_at").asText() + "): "
                        + latest.path("error").asText(latest.path("failed").asInt() + " members could not be updated"));
            }
        }
        // errors first: what stops delivery, then what waits or was set aside
        problems.sort((a, b) -> Boolean.compare(!"error".equals(a.path("level").asText()), !"error".equals(b.path("level").asText())));
        status.putArray("problems").addAll(problems);
        return status.toString();
    }

    private ObjectNode destination(String name, DestinationStats stats, Instant now, List<ObjectNode> problems) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        Boolean paused = controls.paused(name);
        long failing = stats.getFailingForSeconds();
        node.put("name", name).put("enabled", stats.isEnabled()).put("paused", paused)
                .put("delivered", stats.getDelivered()).put("deliveredPerMinute", Math.round(rates.perMinute(name)))
                .put("lagRecords", stats.getLagRecords()).put("lagSeconds", stats.getLagSeconds())
                .put("retried", stats.getRetried()).put("throttled", stats.getThrottled())
                .put("skipped", stats.getSkipped()).put("duplicates", stats.getDuplicates())
                .put("deadLettered", stats.getDeadLettered())
                .put("lastError", stats.getLastError().isEmpty() ? null : stats.getLastError())
                .put("failingForSeconds", failing)
                .put("failingSince", failing == 0 ? null : now.minusSeconds(failing).toString())
                .put("replay", replayPaths.get(name))
                .put("controls", paused != null);
        node.set("deadLetteredByReason", Json.MAPPER.valueToTree(new TreeMap<>(stats.getDeadLetteredByReason())));
        if (!stats.isEnabled()) {
            return node;
        }
        String waiting = stats.getLagRecords() > 0 ? " " + count(stats.getLagRecords(), "event") + " wait in Kafka." : "";
        if (failing >= ATTENTION_SECONDS) {
            problem(problems, "error", name + " has failed every call for " + duration(failing) + " (since " + now.minusSeconds(failing)
                    + "): " + stats.getLastError() + "." + waiting);
        } else if (Boolean.TRUE.equals(paused)) {
            problem(problems, "warning", name + " is paused." + waiting);
        } else if (stats.getLagSeconds() >= BEHIND_SECONDS) {
            problem(problems, "warning", name + " is " + duration(stats.getLagSeconds()) + " behind." + waiting);
        }
        if (stats.getDeadLettered() > 0) {
            problem(problems, "warning", name + " has " + count(stats.getDeadLettered(), "dead letter") + " " + stats.getDeadLetteredByReason()
                    + ": fix the cause, then replay them.");
        }
        return node;
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static ObjectNode ingress(IngressStats stats) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("accepted", stats.getAccepted()).put("ignored", stats.getIgnored());
        node.set("rejected", Json.MAPPER.valueToTree(new TreeMap<>(stats.getRejected())));
        return node;
    }

    private static ObjectNode dataIn(DataInStats stats) {
        ObjectNode node = Json.MAPPER.createObjectNode()
                .put("messages", stats.getMessages()).put("tagUpdates", stats.getTagUpdates())
                .put("coalescedRequestsSaved", stats.getCoalescedRequestsSaved()).put("customEvents", stats.getCustomEvents())
                .put("unmatchedUsers", stats.getUnmatchedUsers()).put("segmentsCreated", stats.getSegmentsCreated())
                .put("segmentsRefused", stats.getSegmentsRefused()).put("devicesRegistered", stats.getDevicesRegistered())
                .put("notifications", stats.getNotifications());
        node.set("dropped", Json.MAPPER.valueToTree(new TreeMap<>(stats.getDropped())));
        node.set("byApp", Json.MAPPER.valueToTree(stats.byApp()));
        return node;
    }

    private static void problem(List<ObjectNode> problems, String level, String text) {
        problems.add(Json.MAPPER.createObjectNode().put("level", level).put("text", text));
    }

    static String duration(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        return minutes < 120 ? minutes + " min" : minutes / 60 + " h " + minutes % 60 + " min";
    }
}
