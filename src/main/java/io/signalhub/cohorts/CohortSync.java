package io.signalhub.cohorts;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.onesignal.OneSignalPlan;
import io.signalhub.datain.Translation;
import io.signalhub.vendors.onesignal.UserChange;
import io.signalhub.delivery.Destination;
import io.signalhub.ingress.InvalidInputException;
import org.apache.camel.CamelContext;
import io.signalhub.monitoring.HubMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one cohort sync the routes run, whatever started it (the schedule, an export request,
 * a vendor's push): one run per cohort at a time, the difference against the stored membership as
 * a OneSignal plan (members get the cohort's tag, leavers lose it, the cohort's segment is ensured),
 * and a report of what happened.
 */
public final class CohortSync implements CohortSyncMXBean {

    public static final String SCHEDULE = "schedule";
    public static final String EXPORT = "export";
    /** Exchange property: what started the run. */
    public static final String TRIGGER = "signalhubCohortTrigger";
    /** Exchange property: true when another run of the cohort is still going, so this one is not started. */
    public static final String BUSY = "signalhubCohortBusy";
    private static final String FAILED = "signalhubCohortFailed";
    private static final long PUSH_WAIT_MILLIS = 600_000;
    /** Members sent to OneSignal per page of a run. */
    private static final int PAGE = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(CohortSync.class);

    private final List<Cohort> cohorts;
    private final OneSignalApps apps;
    private final CohortStore store;
    private final CamelContext camel;
    private final Supplier<Instant> clock;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final HubMetrics metrics;

    public CohortSync(List<Cohort> cohorts, OneSignalApps apps, CohortStore store, CamelContext camel, HubMetrics metrics,
                      Supplier<Instant> clock) {
        this.cohorts = List.copyOf(cohorts);
        this.apps = apps;
        this.store = store;
        this.camel = camel;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The cohorts the schedule syncs. */
    public List<Cohort> due() {
        return cohorts.stream().filter(Cohort::dynamic).toList();
    }

    /** The configured cohort, or one with the default app and tag. */
    public Cohort cohort(String source, String id) {
        return cohorts.stream().filter(c -> c.source().equals(source) && c.id().equals(id)).findFirst()
                .orElse(new Cohort(source, id, false, OneSignalApps.DEFAULT, Cohort.defaultTag(source, id)));
    }

    /** Starts the run of the cohort in the body, unless one is still going. A push must not be skipped: it fails, to come again. */
    public void begin(Exchange exchange) {
        Cohort cohort = exchange.getMessage().getBody(Cohort.class);
        String trigger = exchange.getProperty(TRIGGER, SCHEDULE, String.class);
        if (apps.app(cohort.app()) == null) {
            throw new InvalidInputException(409, "not_configured", List.of("no OneSignal app named '" + cohort.app()
                    + "' is configured (hub.onesignal.app-id, hub.onesignal.apps)"));
        }
        if (!running.add(key(cohort))) {
            if (trigger.endsWith("webhook")) {
                awaitTurn(cohort);
            } else {
                skip(exchange, cohort, trigger);
                return;
            }
        }
        exchange.setProperty(BUSY, false);
        long reportId;
        try {
            reportId = store.startReport(cohort, trigger, clock.get());
        } catch (RuntimeException e) {
            running.remove(key(cohort));
            throw e;
        }
        CohortRun run = new CohortRun(cohort, trigger, reportId, clock.get());
        Pushed pushed = exchange.getProperty(Pushed.PROPERTY, Pushed.class);
        if (pushed != null) {
            run.name = pushed.name();
            run.skipped = pushed.skipped();
            if (pushed.members() != null) {
                run.members = new MemberIds();
                for (String member : pushed.members()) {
                    if (!run.members.add(member)) {
                        run.skipped++;
                    }
                }
            }
            run.entered.addAll(pushed.entered());
            run.left.addAll(pushed.left());
        }
        exchange.setProperty(CohortRun.PROPERTY, run);
    }

    /** A scheduled run or an export while another run of the cohort is going: not started, and reported so. */
    private void skip(Exchange exchange, Cohort cohort, String trigger) {
        Instant now = clock.get();
        long id = store.startReport(cohort, trigger, now);
        SyncReport skipped = new SyncReport(id, cohort.source(), cohort.id(), trigger, now, now, 0, 0, 0, 0, 0, 0, 0,
                "not started: the previous run of this cohort is still going");
        store.finishReport(skipped);
        exchange.setProperty(BUSY, true);
        exchange.getMessage().setBody(json(skipped).toString());
    }

    /** A push must not be skipped: it waits for the running sync of its cohort (then Kafka hands it again). */
    private void awaitTurn(Cohort cohort) {
        long deadline = System.currentTimeMillis() + PUSH_WAIT_MILLIS;
        while (!running.add(key(cohort))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(cohort + " is still being synced; the pushed change is taken after that run");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the running sync of " + cohort, e);
            }
        }
    }

    /** The difference to send: stored as pending first, so a crash leaves the next run correct. */
    public void plan(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        if (run.unchanged) {
            return;
        }
        String appId = apps.app(run.cohort.app()).appId();
        long started = System.nanoTime();
        run.diff = run.members != null
                ? store.replace(run.cohort, appId, run.members, run.trigger.equals(EXPORT))
                : store.change(run.cohort, appId, run.entered, run.left);
        run.members = null;  // in the store now: let a large cohort's members go
        LOG.info("{} ({}): difference to the last sync found and stored in {} ms: {} to tag, {} to untag", run.cohort,
                run.trigger, (System.nanoTime() - started) / 1_000_000, run.diff.adds(), run.diff.removes());
        run.more = run.diff.adds() + run.diff.removes() > 0;
    }

    /**
     * The next page of the difference as a OneSignal plan: a cohort of millions is sent a page at a
     * time, so memory holds one page, and each page is settled once OneSignal answered it.
     */
    public void nextPage(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        OneSignalApps.App app = apps.app(run.cohort.app());
        run.page = store.pending(run.cohort, app.appId(), run.after, PAGE);
        run.after = run.page.last();
        run.more = run.page.size() == PAGE;
        OneSignalPlan plan = new OneSignalPlan();
        // as OneSignal's own cohort integrations do (https://documentation.onesignal.com/docs/en/amplitude):
        // the segment, named after the cohort, is created once a member matched a OneSignal user, so
        // cohorts nobody matches do not spend the plan's segment quota
        if (run.segmentDue && !run.segmentEnsured) {
            plan.ensureSegment(app.name(), run.cohort.tagKey(), run.name == null ? run.cohort.id() : run.name);
            run.segmentEnsured = true;
        }
        for (String member : run.page.adds()) {
            plan.add(Translation.of(change(run, member, "true")));
        }
        for (String member : run.page.removes()) {
            plan.add(Translation.of(change(run, member, null)));
        }
        run.plan = plan;
        exchange.setProperty(Destination.BATCH, plan);
    }

    /** OneSignal answered the page: settle it in the store and count it. */
    public void settlePage(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        OneSignalPlan.Outcomes outcomes = run.plan.outcomes();
        store.settle(run.cohort, apps.app(run.cohort.app()).appId(), run.page, outcomes.applied(), outcomes.unmatched());
        int matched = count(run.page.adds(), outcomes.applied());
        run.added += matched;
        if (matched > 0 && !run.segmentEnsured) {
            // one more turn of the page loop carries the segment, even after the last page
            run.segmentDue = true;
            run.more = true;
        }
        run.unmatched += count(run.page.adds(), outcomes.unmatched());
        Set<String> untagged = new HashSet<>(outcomes.applied());
        untagged.addAll(outcomes.unmatched());
        run.removed += count(run.page.removes(), untagged);
        run.segmentErrors.addAll(outcomes.segmentErrors());
        run.plan = null;
        run.page = null;
    }

    /** Every page went: report. */
    public void finish(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        String appId = apps.app(run.cohort.app()).appId();
        int failed = run.failed();
        String error = run.segmentErrors.isEmpty() ? null : String.join("; ", new LinkedHashSet<>(run.segmentErrors));
        if (run.lastComputed != null && failed == 0) {
            store.lastComputed(run.cohort, run.name, run.lastComputed);
        }
        int members = run.diff != null ? run.diff.members() : store.members(run.cohort, appId);
        report(exchange, run, new SyncReport(run.reportId, run.cohort.source(), run.cohort.id(), run.trigger, run.startedAt,
                clock.get(), members, store.matched(run.cohort, appId), run.added, run.removed, run.unmatched, run.skipped, failed,
                run.unchanged ? SyncReport.UNCHANGED + " (lastComputed " + run.lastComputed + "): not downloaded" : error));
    }

    /** The run failed (a source refused, OneSignal stayed down): what is pending goes on the next run. */
    public void failed(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String error = cause == null ? "failed" : cause.getMessage();
        exchange.setProperty(FAILED, true);
        LOG.warn("{} sync ({}) failed: {}", run.cohort, run.trigger, error);
        String appId = apps.app(run.cohort.app()).appId();
        int members = run.diff != null ? run.diff.members() : run.members == null ? 0 : run.members.size();
        int failed = run.failed();
        report(exchange, run, new SyncReport(run.reportId, run.cohort.source(), run.cohort.id(), run.trigger, run.startedAt,
                clock.get(), members, store.matched(run.cohort, appId), run.added, run.removed, run.unmatched, run.skipped, failed,
                error));
    }

    public void release(Exchange exchange) {
        CohortRun run = exchange.getProperty(CohortRun.PROPERTY, CohortRun.class);
        if (run != null) {
            running.remove(key(run.cohort));
        }
    }

    /** {@code POST /cohorts/{source}/{id}/export}: the cohort to export now. */
    public Cohort exportRequest(Exchange exchange) {
        String source = exchange.getMessage().getHeader("source", String.class);
        String id = exchange.getMessage().getHeader("id", String.class);
        if (!Set.of(Cohort.MIXPANEL, Cohort.AMPLITUDE).contains(source) || id == null || id.isBlank()) {
            throw new InvalidInputException(404, "not_found", List.of("export /cohorts/mixpanel/<id>/export or /cohorts/amplitude/<id>/export"));
        }
        exchange.setProperty(TRIGGER, EXPORT);
        return cohort(source, id.trim());
    }

    /** The report as the HTTP answer: 200 when the run went through, 502 when it failed. */
    public void exportAnswer(Exchange exchange) {
        int status = exchange.getProperty(BUSY, false, Boolean.class) ? 409 : exchange.getProperty(FAILED, false, Boolean.class) ? 502 : 200;
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    /** {@code GET /cohorts}: every configured cohort with its latest reports. */
    public String listAnswer() {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        ArrayNode list = answer.putArray("cohorts");
        Map<String, Cohort> all = new LinkedHashMap<>();
        cohorts.forEach(c -> all.put(key(c), c));
        for (Cohort cohort : all.values()) {
            ObjectNode node = list.addObject();
            node.put("source", cohort.source()).put("id", cohort.id()).put("mode", cohort.dynamic() ? "dynamic" : "once")
                    .put("app", cohort.app()).put("tag", cohort.tagKey()).put("running", running.contains(key(cohort)));
            ArrayNode reports = node.putArray("reports");
            store.reports(cohort, 5).forEach(r -> reports.add(json(r)));
        }
        return answer.toPrettyString();
    }

    @Override
    public Map<String, String> getLatestReports() {
        Map<String, String> latest = new LinkedHashMap<>();
        for (Cohort cohort : cohorts) {
            store.reports(cohort, 1).forEach(r -> latest.put(cohort.source() + " " + cohort.id(), json(r).toString()));
        }
        return latest;
    }

    @Override
    public String export(String source, String cohortId) {
        try (ProducerTemplate template = camel.createProducerTemplate()) {
            Exchange done = template.send("direct:cohort-sync", exchange -> {
                exchange.setProperty(TRIGGER, EXPORT);
                exchange.getMessage().setBody(cohort(source, cohortId));
            });
            if (done.getException() != null) {
                throw new IllegalStateException(done.getException().getMessage());
            }
            return done.getMessage().getBody(String.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void report(Exchange exchange, CohortRun run, SyncReport report) {
        store.finishReport(report);
        metrics.cohortRun(report.source(), report.cohortId(), report.succeeded());
        LOG.info("{} synced ({}): {} members, {} added, {} removed, {} unmatched, {} skipped, {} failed{}", run.cohort,
                run.trigger, report.members(), report.added(), report.removed(), report.unmatched(), report.skipped(),
                report.failed(), report.error() == null ? "" : "; " + report.error());
        exchange.getMessage().setBody(json(report).toString());
    }

    private static UserChange change(CohortRun run, String member, String value) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(run.cohort.tagKey(), value);
        return new UserChange(run.cohort.app(), member, tags, List.of(), null, null, null);
    }

    private static int count(Set<String> of, Set<String> in) {
        Set<String> both = new LinkedHashSet<>(of);
        both.retainAll(in);
        return both.size();
    }

    private static String key(Cohort cohort) {
        return cohort.source() + ":" + cohort.id();
    }

    static ObjectNode json(SyncReport report) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", report.id()).put("source", report.source()).put("cohort_id", report.cohortId())
                .put("trigger", report.trigger()).put("started_at", report.startedAt().toString());
        Json.putIfPresent(node, "finished_at", report.finishedAt() == null ? null : report.finishedAt().toString());
        node.put("members", report.members()).put("matched", report.matched()).put("added", report.added())
                .put("removed", report.removed()).put("unmatched", report.unmatched()).put("skipped", report.skipped())
                .put("failed", report.failed()).put("succeeded", report.succeeded());
        Json.putIfPresent(node, "error", report.error());
        return node;
    }
}
