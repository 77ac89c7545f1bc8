package io.signalhub.monitoring;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.health.HealthCheck;

/**
 * The hub's own counters, published over JMX beside Camel's route statistics as
 * {@code io.signalhub:context=<hub>,type=<Destination|Ingress|DataIn|…>,name=<name>}, and to
 * Prometheus ({@code /observe/metrics}) as {@code signalhub_*_total} counters.
 */
public final class HubMetrics implements Service {

    private final CamelContext camel;
    private final String context;
    private volatile MeterRegistry meters;
    private final Map<String, DestinationStats> destinations = new ConcurrentHashMap<>();
    private final Map<String, IngressStats> ingresses = new ConcurrentHashMap<>();
    private final Map<String, DataInStats> dataIn = new ConcurrentHashMap<>();
    /** Cohort sync runs by source, cohort and result (succeeded, failed). */
    private final Map<List<String>, AtomicLong> cohortRuns = new ConcurrentHashMap<>();
    private final Map<ObjectName, Object> beans = new ConcurrentHashMap<>();
    private final List<ObjectName> registered = new ArrayList<>();
    private boolean started;

    public HubMetrics(CamelContext camel) {
        this.camel = camel;
        this.context = camel.getName();
    }

    /** Readiness of the destinations: DOWN when one has failed every call for longer than {@code stuckAfterSeconds}. */
    public HealthCheck destinationsHealth(long stuckAfterSeconds) {
        return new DestinationsHealthCheck(destinations, stuckAfterSeconds);
    }

    public DestinationStats destination(String name) {
        return destinations.get(name);
    }

    /** Every destination's counters by name. */
    public Map<String, DestinationStats> destinations() {
        return Map.copyOf(destinations);
    }

    public Map<String, IngressStats> ingresses() {
        return Map.copyOf(ingresses);
    }

    public Map<String, DataInStats> dataIns() {
        return Map.copyOf(dataIn);
    }

    public DestinationStats addDestination(String name, boolean enabled) {
        DestinationStats stats = new DestinationStats(enabled);
        destinations.put(name, stats);
        publish("Destination", name, stats);
        meter(registry -> bind(registry, name, stats));
        return stats;
    }

    public IngressStats ingress(String name) {
        return ingresses.computeIfAbsent(name, n -> {
            IngressStats stats = new IngressStats();
            publish("Ingress", n, stats);
            meter(registry -> bind(registry, n, stats));
            return stats;
        });
    }

    public DataInStats dataIn(String name) {
        return dataIn.computeIfAbsent(name, n -> {
            DataInStats stats = new DataInStats();
            publish("DataIn", n, stats);
            meter(registry -> bind(registry, n, stats));
            return stats;
        });
    }

    /** Counts one finished cohort sync run. */
    public void cohortRun(String source, String cohortId, boolean succeeded) {
        cohortRuns.computeIfAbsent(List.of(source, cohortId, succeeded ? "succeeded" : "failed"), key -> {
            AtomicLong runs = new AtomicLong();
            meter(registry -> bindCohortRuns(registry, key, runs));
            return runs;
        }).incrementAndGet();
    }

    /** Publishes any other MXBean of the hub (operations such as the dead-letter replay). */
    public void publish(String type, String name, Object mbean) {
        try {
            beans.put(new ObjectName("io.signalhub:context=" + ObjectName.quote(context) + ",type=" + type
                    + ",name=" + ObjectName.quote(name)), mbean);
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
        synchronized (this) {
            if (started) {
                start();
            }
        }
    }

    @Override
    public synchronized void start() {
        started = true;
        MeterRegistry registry = camel.getRegistry().findSingleByType(MeterRegistry.class);
        if (registry != null && meters == null) {
            meters = registry;
            destinations.forEach((name, stats) -> bind(registry, name, stats));
            ingresses.forEach((name, stats) -> bind(registry, name, stats));
            dataIn.forEach((name, stats) -> bind(registry, name, stats));
            cohortRuns.forEach((key, runs) -> bindCohortRuns(registry, key, runs));
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        beans.forEach((name, bean) -> {
            try {
                if (!registered.contains(name)) {
                    if (server.isRegistered(name)) {
                        server.unregisterMBean(name);
                    }
                    server.registerMBean(bean, name);
                    registered.add(name);
                }
            } catch (JMException e) {
                throw new IllegalStateException("could not publish " + name + " over JMX", e);
            }
        });
    }

    private void meter(Consumer<MeterRegistry> binding) {
        if (meters != null) {
            binding.accept(meters);
        }
    }

    // the hub's counters for Prometheus (/observe/metrics), mirroring the JMX attributes

    private static void bind(MeterRegistry registry, String destination, DestinationStats stats) {
        counter(registry, "signalhub.destination.delivered", stats, DestinationStats::getDelivered, "destination", destination);
        counter(registry, "signalhub.destination.retried", stats, DestinationStats::getRetried, "destination", destination);
        counter(registry, "signalhub.destination.throttled", stats, DestinationStats::getThrottled, "destination", destination);
        counter(registry, "signalhub.destination.skipped", stats, DestinationStats::getSkipped, "destination", destination);
        counter(registry, "signalhub.destination.duplicates", stats, DestinationStats::getDuplicates, "destination", destination);
        Gauge.builder("signalhub.destination.lag.records", stats, DestinationStats::getLagRecords).tags("destination", destination).register(registry);
        Gauge.builder("signalhub.destination.lag.seconds", stats, DestinationStats::getLagSeconds).tags("destination", destination).register(registry);
        // what alerting needs: how long every call has failed, and whether the destination is on at all
        Gauge.builder("signalhub.destination.failing.seconds", stats, DestinationStats::getFailingForSeconds).tags("destination", destination)
                .register(registry);
        Gauge.builder("signalhub.destination.enabled", stats, s -> s.isEnabled() ? 1 : 0).tags("destination", destination).register(registry);
        stats.deadLetteredByReason().onNewReason((reason, count) ->
                counter(registry, "signalhub.destination.dead.lettered", count, AtomicLong::get, "destination", destination, "reason", reason));
    }

    private static void bind(MeterRegistry registry, String ingress, IngressStats stats) {
        counter(registry, "signalhub.ingress.accepted", stats, IngressStats::getAccepted, "ingress", ingress);
        stats.ignoredByKind().onNewReason((kind, count) ->
                counter(registry, "signalhub.ingress.ignored", count, AtomicLong::get, "ingress", ingress, "kind", kind));
        stats.rejectedByReason().onNewReason((reason, count) ->
                counter(registry, "signalhub.ingress.rejected", count, AtomicLong::get, "ingress", ingress, "reason", reason));
    }

    private static void bind(MeterRegistry registry, String destination, DataInStats stats) {
        counter(registry, "signalhub.datain.messages", stats, DataInStats::getMessages, "destination", destination);
        counter(registry, "signalhub.datain.tag.updates", stats, DataInStats::getTagUpdates, "destination", destination);
        counter(registry, "signalhub.datain.coalesced.requests.saved", stats, DataInStats::getCoalescedRequestsSaved, "destination", destination);
        counter(registry, "signalhub.datain.custom.events", stats, DataInStats::getCustomEvents, "destination", destination);
        counter(registry, "signalhub.datain.unmatched.users", stats, DataInStats::getUnmatchedUsers, "destination", destination);
        counter(registry, "signalhub.datain.new.segments", stats, DataInStats::getSegmentsCreated, "destination", destination);
        counter(registry, "signalhub.datain.segments.refused", stats, DataInStats::getSegmentsRefused, "destination", destination);
        counter(registry, "signalhub.datain.devices.registered", stats, DataInStats::getDevicesRegistered, "destination", destination);
        counter(registry, "signalhub.datain.notifications", stats, DataInStats::getNotifications, "destination", destination);
        counter(registry, "signalhub.datain.notifications.dry.run", stats, DataInStats::getNotificationsDryRun, "destination", destination);
        counter(registry, "signalhub.datain.notifications.not.subscribed", stats, DataInStats::getNotificationsNotSubscribed,
                "destination", destination);
        counter(registry, "signalhub.datain.notifications.invalid.aliases", stats, DataInStats::getNotificationsInvalidAliases,
                "destination", destination);
        stats.triggeredByTrigger().onNewReason((trigger, count) ->
                counter(registry, "signalhub.datain.triggered.users", count, AtomicLong::get, "destination", destination, "trigger", trigger));
        stats.droppedByReason().onNewReason((reason, count) ->
                counter(registry, "signalhub.datain.dropped", count, AtomicLong::get, "destination", destination, "reason", reason));
    }

    private static void bindCohortRuns(MeterRegistry registry, List<String> key, AtomicLong runs) {
        counter(registry, "signalhub.cohort.sync.runs", runs, AtomicLong::get, "source", key.get(0), "cohort", key.get(1), "result", key.get(2));
    }

    private static <T> void counter(MeterRegistry registry, String name, T source, ToDoubleFunction<T> value, String... tags) {
        FunctionCounter.builder(name, source, value).tags(tags).register(registry);
    }

    @Override
    public synchronized void stop() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (JMException ignored) {
                // already gone
            }
        }
        registered.clear();
        started = false;
    }
}
