package io.signalhub.bench;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.signalhub.TestHub;
import io.signalhub.sandbox.Sandbox;

/**
 * A large Mixpanel cohort synced to OneSignal through the whole chain (Query API fake → diff in the
 * store → OneSignal fake at its documented 1,000 requests a second): the first export, then a second
 * run after a few percent of the members changed. Prints the calls each run made, the time, and
 * memory. Not a test: run it with bench/cohort-sync.sh [members] [percent changed].
 */
public final class CohortSyncBenchmark {

    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int changedPercent = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Sandbox fakes = new Sandbox();
        fakes.start();
        String app = Sandbox.ONESIGNAL_APP_ID;
        Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
        for (int i = 0; i < members; i++) {
            fakes.onesignal().createUser(app, "user-" + i);
            profiles.put("distinct-" + i, Map.of("$onesignal_user_id", "user-" + i));
        }
        fakes.mixpanel().cohorts().cohort(1, "Bench Cohort", profiles);
        fakes.mixpanel().cohorts().queriesPerHour(1_000_000);
        Map<String, String> settings = TestHub.settings(fakes, TestHub.newTopic());
        Path cohorts = Files.createTempFile("cohorts", ".yaml");
        Files.writeString(cohorts, "cohorts: []");
        settings.put("hub.cohorts.file", cohorts.toString());
        // the real limit is 60 an hour: a first pull of this cohort would spread over hours (prefer the webhook)
        settings.put("hub.mixpanel.query-rate-limit", "1000000");
        try (TestHub hub = TestHub.start(settings)) {
            System.out.printf("%nCohort sync benchmark: %d members, %d cores%n", members, Runtime.getRuntime().availableProcessors());
            run(hub, fakes, "first export");
            int changed = members * changedPercent / 100;
            for (int i = 0; i < changed / 2; i++) {
                profiles.remove("distinct-" + i);
                fakes.onesignal().createUser(app, "new-user-" + i);
                profiles.put("distinct-new-" + i, Map.of("$onesignal_user_id", "new-user-" + i));
            }
            fakes.mixpanel().cohorts().cohort(1, "Bench Cohort", profiles);
            run(hub, fakes, "after " + changedPercent + "% changed");
            System.out.printf("  heap used %d MB (hub, broker and fakes share this JVM), peak RSS %s%n",
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20, DataOutBenchmark.peakRss());
        } finally {
            fakes.stop();
        }
        System.exit(0);
    }

    private static void run(TestHub hub, Sandbox fakes, String label) throws Exception {
        int queries = fakes.mixpanel().cohorts().engageQueries();
        int requests = fakes.onesignal().requests();
        long start = System.nanoTime();
        HttpResponse<String> report = hub.post("/cohorts/mixpanel/1/export", TestHub.ADMIN_TOKEN, "");
        double seconds = (System.nanoTime() - start) / 1e9;
        int calls = fakes.onesignal().requests() - requests;
        System.out.printf("  %s: %.1f s, %d Engage queries, %d OneSignal calls (%.0f/s)%n    report %s%n", label, seconds,
                fakes.mixpanel().cohorts().engageQueries() - queries, calls, calls / seconds, report.body());
    }
}
