package io.signalhub;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.signalhub.cohorts.AmplitudeCohorts;
import io.signalhub.cohorts.Cohort;
import io.signalhub.cohorts.CohortPush;
import io.signalhub.cohorts.CohortStore;
import io.signalhub.cohorts.CohortSync;
import io.signalhub.cohorts.CohortsFile;
import io.signalhub.cohorts.MixpanelCohorts;
import io.signalhub.datain.DataInBatches;
import io.signalhub.datain.Triggers;
import io.signalhub.datain.TriggersFile;
import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.onesignal.OneSignalDelivery;
import io.signalhub.datain.PlanAggregation;
import io.signalhub.datain.SegmentIngress;
import io.signalhub.datain.SegmentTranslator;
import io.signalhub.vendors.segment.SegmentMessages;
import io.signalhub.vendors.segment.WebhookSignature;
import io.signalhub.vendors.amplitude.Amplitude;
import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.DeliveredIds;
import io.signalhub.delivery.DetailNames;
import io.signalhub.delivery.RequestPieces;
import io.signalhub.delivery.Destination;
import io.signalhub.delivery.DestinationControl;
import io.signalhub.delivery.DestinationControls;
import io.signalhub.delivery.Pacing;
import io.signalhub.delivery.PoisonBatches;
import io.signalhub.delivery.TranslatedItems;
import io.signalhub.delivery.EventNames;
import io.signalhub.vendors.mixpanel.Mixpanel;
import io.signalhub.delivery.RetryGate;
import io.signalhub.vendors.segment.Segment;
import io.signalhub.delivery.Vendor;
import io.signalhub.ingress.BearerToken;
import io.signalhub.ingress.DoorsBeforeTheBody;
import io.signalhub.ingress.HttpErrors;
import io.signalhub.eventstreams.OneSignalIngress;
import io.signalhub.kafka.EmbeddedKafkaBroker;
import io.signalhub.kafka.ConsumerGroups;
import io.signalhub.kafka.HubTopics;
import io.signalhub.kafka.KafkaClients;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.monitoring.DestinationStats;
import io.signalhub.monitoring.HealthDetailsGuard;
import io.signalhub.monitoring.HubMetrics;
import io.signalhub.eventstreams.OneSignalEventParser;
import io.signalhub.sandbox.EventStreamsEmitter;
import io.signalhub.sandbox.Sandbox;
import io.signalhub.status.DeliveryRates;
import io.signalhub.status.HubStatus;
import io.signalhub.store.ClusteredSchedule;
import io.signalhub.store.HubStore;
import io.signalhub.store.KnownSegments;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.util.concurrent.SizedScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the beans the YAML routes call. Settings are the {@code hub.*} properties of
 * {@code config/application.properties}, each overridable by {@code -D} or an environment variable.
 * Starts the embedded Kafka broker when no cluster is configured, and the fakes in sandbox mode.
 */
public class HubConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HubConfiguration.class);

    @Override
    public void configure(CamelContext camel) throws Exception {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Registry registry = camel.getRegistry();
        HubMetrics metrics = new HubMetrics(camel);
        camel.addService(metrics);
        registry.bind("metrics", metrics);
        // found in the registry by Camel's health check registry (readiness at /observe/health)
        registry.bind("destinations-health-check", metrics.destinationsHealth(
                Long.parseLong(setting(properties, "hub.health.stuck-after-seconds"))));

        refuseAnOpenManagementServer(properties);
        if (Boolean.parseBoolean(setting(properties, "hub.sandbox"))) {
            startSandbox(camel, properties);
        }
        String brokers = setting(properties, "hub.kafka.brokers");
        Map<String, Object> clientProperties = KafkaClients.clientProperties(settingsStartingWith(properties, KafkaClients.PREFIX),
                System.getenv());
        if (brokers.isEmpty() && !clientProperties.isEmpty()) {
            throw new IllegalArgumentException(KafkaClients.PREFIX + "* " + clientProperties.keySet()
                    + " are for an external Kafka cluster (hub.kafka.brokers); the embedded broker takes plain connections");
        }
        boolean embedded = brokers.isEmpty();
        if (embedded) {
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(
                    Path.of(setting(properties, "hub.data-dir"), "kafka"),
                    Integer.parseInt(setting(properties, "hub.kafka.embedded-port")));
            // starts while the hub binds its beans and Camel loads the routes; the context waits for it
            // (as a service, started before the routes) and then creates the topics
            broker.startInBackground();
            camel.addService(broker);
            brokers = broker.bootstrapServers();
            properties.addOverrideProperty("hub.kafka.brokers", brokers);
        }
        KafkaClients clients = new KafkaClients(brokers, clientProperties);
        LOG.info("Kafka: {}", clients);
        // Camel's Kafka endpoints apply these after their own options: every consumer and producer of the routes
        camel.getComponent("kafka", KafkaComponent.class).getConfiguration().getAdditionalProperties().putAll(clients.client());

        String eventsTopic = setting(properties, "hub.topics.onesignal-events");
        String segmentTopic = setting(properties, "hub.topics.segment-events");
        String cohortTopic = setting(properties, "hub.topics.cohort-updates");
        long deadLetterHours = Long.parseLong(setting(properties, "hub.topics.dead-letters.retention-hours"));
        Map<String, Long> retention = new LinkedHashMap<>();
        // each topic by the key of its setting: hub.topics.<key> names it, hub.topics.<key>.retention-hours keeps it
        Map.of("onesignal-events", eventsTopic, "segment-events", segmentTopic, "cohort-updates", cohortTopic).forEach((key, topic) -> {
            retention.put(topic, TimeUnit.HOURS.toMillis(Long.parseLong(setting(properties, "hub.topics." + key + ".retention-hours"))));
            retention.put(topic + ".dlq", TimeUnit.HOURS.toMillis(deadLetterHours));
        });
        camel.addService(new HubTopics(clients, retention,
                Integer.parseInt(setting(properties, embedded ? "hub.kafka.embedded-partitions" : "hub.kafka.partitions"))));
        ConsumerGroups groups = new ConsumerGroups(camel, clients, Long.parseLong(setting(properties, "hub.kafka.lag-refresh-seconds")));
        camel.addService(groups);
        List<String> destinationNames = List.of("segment", "amplitude", "mixpanel");
        DeadLetters deadLetters = DeadLetters.deadLetters(camel, clients, eventsTopic, destinationNames);
        registry.bind("deadLetters", deadLetters);
        metrics.publish("DeadLetters", deadLetters.topic(), deadLetters);

        OneSignalEventParser parser = new OneSignalEventParser(Json.MAPPER,
                Integer.parseInt(setting(properties, "hub.ingress.max-batch-events")), Instant::now);
        OneSignalIngress eventStreams = new OneSignalIngress(parser,
                Integer.parseInt(setting(properties, "hub.ingress.max-body-bytes")), metrics.ingress("onesignal-events"),
                oneSignalApps(properties).appIds());
        // a credential per door: each ingress takes its own token where one is set, else hub.ingress.token
        BearerToken eventStreamsToken = doorToken(properties, "hub.ingress.onesignal.token");
        // the door every Event Streams request takes calls processors, not bean methods: Camel's bean binding
        // (the method looked up by name, its arguments bound) cost 2 % of the hub's CPU there (docs/benchmarks.md)
        registry.bind("eventStreamsTokenCheck", (Processor) eventStreamsToken::check);
        registry.bind("eventStreamsToRecords", (Processor) eventStreams::toRecords);
        registry.bind("eventStreamsAccepted", (Processor) eventStreams::accepted);
        BearerToken cohortsToken = doorToken(properties, "hub.ingress.cohorts.token");
        registry.bind("cohortsToken", cohortsToken);
        BearerToken segmentToken = doorToken(properties, "hub.ingress.segment.token");
        BearerToken adminToken = new BearerToken("hub.admin.token", setting(properties, "hub.admin.token"));
        registry.bind("adminToken", adminToken);
        camel.addStartupListener(new HealthDetailsGuard(adminToken));
        registry.bind("httpErrors", new HttpErrors(metrics));
        RetryGate retryGate = new RetryGate(metrics, Long.parseLong(setting(properties, "hub.delivery.max-retry-after-ms")));
        registry.bind("retryGate", retryGate);
        // Camel's throttle starts a scheduled pool of ten threads for each throttle, only to time the cleaning of
        // its permits: the vendors' throttles share one thread instead. Those cleanings are due 10 s on, and
        // one is cancelled by the next: a stopping hub drops them rather than waiting for them
        ScheduledExecutorService throttleTimers = camel.getExecutorServiceManager().newScheduledThreadPool(this, "Throttle", 1);
        if (throttleTimers instanceof SizedScheduledExecutorService sized) {
            sized.getScheduledThreadPoolExecutor().setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            sized.getScheduledThreadPoolExecutor().setRemoveOnCancelPolicy(true);
        }
        registry.bind("throttleTimers", throttleTimers);
        registry.bind("requestPieces", new RequestPieces());
        registry.bind("translatedItems", new TranslatedItems());

        Map<String, PoisonBatches.Sink> poison = new HashMap<>();
        DataIn dataIn = bindDataIn(camel, metrics, clients, segmentToken, retryGate, poison);
        DeadLetters cohortDeadLetters = DeadLetters.deadLetters(camel, clients, cohortTopic, List.of(COHORTS));
        metrics.publish("DeadLetters", cohortDeadLetters.topic(), cohortDeadLetters);
        poison.put(COHORTS, new PoisonBatches.Sink(cohortDeadLetters, metrics.addDestination(COHORTS, dataIn.enabled())));
        bindCohortSync(camel, metrics, dataIn);
        long cohortBytes = Long.parseLong(setting(properties, "hub.ingress.cohorts.max-body-bytes"));
        List<DoorsBeforeTheBody.Door> doors = new ArrayList<>(List.of(
                new DoorsBeforeTheBody.Door("/onesignal/events", "onesignal-events", Long.parseLong(setting(properties, "hub.ingress.max-body-bytes")),
                        (path, header) -> eventStreamsToken.problemWith(header.apply("Authorization"))),
                new DoorsBeforeTheBody.Door("/segment/webhook", "segment-webhook",
                        Long.parseLong(setting(properties, "hub.ingress.segment.max-webhook-bytes")), dataIn.ingress()::webhookCredentialProblem),
                // Segment's own limit of a Tracking API batch (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size)
                new DoorsBeforeTheBody.Door("/v1", "segment-tracking-api", SegmentMessages.MAX_BATCH_BYTES,
                        dataIn.ingress()::trackingCredentialProblem),
                new DoorsBeforeTheBody.Door("/mixpanel/cohorts", HttpErrors.MIXPANEL_COHORTS, cohortBytes,
                        (path, header) -> cohortsToken.problemWithBearerOrBasic(header.apply("Authorization"))),
                new DoorsBeforeTheBody.Door("/amplitude/cohorts", "amplitude-cohorts", cohortBytes,
                        (path, header) -> cohortsToken.problemWithBearerOrBasic(header.apply("Authorization")))));
        for (String adminPath : List.of("/admin", "/cohorts", "/sandbox")) {
            doors.add(new DoorsBeforeTheBody.Door(adminPath, "admin", Long.parseLong(setting(properties, "hub.admin.max-body-bytes")),
                    (path, header) -> adminToken.problemWith(header.apply("Authorization"))));
        }
        camel.addStartupListener(new DoorsBeforeTheBody(doors, Long.parseLong(setting(properties, "hub.ingress.read-timeout-ms")), metrics));

        DataOut dataOut = new DataOut(parser, deadLetters, retryGate, groups, new DestinationControls(), poison, eventsTopic,
                setting(properties, "hub.kafka.group-id"), Integer.parseInt(setting(properties, "hub.dedup.cache-size")));
        String segmentKey = setting(properties, "hub.segment.write-key");
        bindDestination(camel, metrics, dataOut, new Segment(segmentKey, Instant::now), !segmentKey.isEmpty(),
                Segment.host(setting(properties, "hub.segment.region")), "/v1/batch");
        String amplitudeKey = setting(properties, "hub.amplitude.api-key");
        bindDestination(camel, metrics, dataOut,
                new Amplitude(amplitudeKey, Integer.parseInt(setting(properties, "hub.amplitude.min-id-length")),
                        Long.parseLong(setting(properties, "hub.amplitude.throttle-wait-ms"))),
                !amplitudeKey.isEmpty(), Amplitude.host(setting(properties, "hub.amplitude.region")), "/2/httpapi");
        String projectId = setting(properties, "hub.mixpanel.project-id");
        String token = setting(properties, "hub.mixpanel.project-token");
        String accountUser = setting(properties, "hub.mixpanel.service-account-username");
        String accountSecret = setting(properties, "hub.mixpanel.service-account-secret");
        // /import takes a service account only with the Admin or Owner role, while the cohort sync needs one of
        // any role (https://docs.mixpanel.com/reference/import-events): the project token goes first when both are set
        boolean serviceAccount = token.isEmpty() && !accountUser.isEmpty() && !accountSecret.isEmpty() && !projectId.isEmpty();
        bindDestination(camel, metrics, dataOut, new Mixpanel(token, serviceAccount ? accountUser : null, accountSecret),
                serviceAccount || !token.isEmpty(), Mixpanel.host(setting(properties, "hub.mixpanel.region")),
                "/import?strict=1" + (serviceAccount ? "&project_id=" + projectId : ""));
        registry.bind("destinationControls", dataOut.controls());
        Map<String, String> replayPaths = new HashMap<>();
        destinationNames.forEach(name -> replayPaths.put(name, "/admin/dead-letters/replay?destination=" + name));
        List.of(OneSignalDelivery.NAME, OneSignalDelivery.TRIGGERS)
                .forEach(name -> replayPaths.put(name, "/admin/data-in/dead-letters/replay?destination=" + name));
        // five minutes of the timer's samples, one every 10 s (routes/status.camel.yaml)
        registry.bind("hubStatus", new HubStatus(metrics, dataOut.controls(), replayPaths,
                registry.lookupByNameAndType("cohortSync", CohortSync.class), setting(properties, "hub.cohorts.schedule"),
                Boolean.parseBoolean(setting(properties, "hub.sandbox")), new DeliveryRates(31), Instant::now));
        registry.bind("poisonBatches", new PoisonBatches(poison));
    }

    /** The consumer name of the cohort-update pushes, for their dead letters and counters. */
    private static final String COHORTS = "cohorts";

    /** What every Data Out destination shares. */
    private record DataOut(OneSignalEventParser parser, DeadLetters deadLetters, RetryGate retryGate, ConsumerGroups groups,
                           DestinationControls controls, Map<String, PoisonBatches.Sink> poison, String topic,
                           String groupId, int dedupCacheSize) {
    }

    /** What the Data In chain shares with the cohort sync. */
    private record DataIn(OneSignalApps apps, HubStore store, boolean enabled, SegmentIngress ingress) {
    }

    /** The Data In chain: Segment's ingress, the translator, and OneSignal as its destination. */
    private static DataIn bindDataIn(CamelContext camel, HubMetrics metrics, KafkaClients clients, BearerToken segmentToken,
                                     RetryGate retryGate, Map<String, PoisonBatches.Sink> poison) throws Exception {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Registry registry = camel.getRegistry();
        OneSignalApps apps = oneSignalApps(properties);
        SegmentIngress.WebhookDoor defaultDoor = webhookDoor(properties, "hub.ingress.segment.shared-secret", segmentToken);
        Map<String, SegmentIngress.WebhookDoor> appDoors = new HashMap<>();
        for (String app : apps.names()) {
            // an app given a token or a shared secret of its own opens with them only (a token alone: unsigned webhooks)
            String prefix = "hub.onesignal.apps." + app + ".segment-";
            boolean ownToken = !setting(properties, prefix + "token").isEmpty();
            boolean ownSecret = !setting(properties, prefix + "shared-secret").isEmpty();
            if (ownToken || ownSecret) {
                BearerToken token = ownToken ? new BearerToken(prefix + "token", setting(properties, prefix + "token")) : segmentToken;
                appDoors.put(app, ownSecret ? webhookDoor(properties, prefix + "shared-secret", token)
                        : new SegmentIngress.WebhookDoor(null, null, token));
            }
        }
        SegmentIngress ingress = new SegmentIngress(apps, defaultDoor, appDoors,
                Integer.parseInt(setting(properties, "hub.ingress.segment.max-webhook-bytes")),
                metrics.ingress("segment-webhook"), metrics.ingress("segment-tracking-api"), Instant::now);
        registry.bind("segmentIngress", ingress);

        DeadLetters deadLetters = DeadLetters.deadLetters(camel, clients, setting(properties, "hub.topics.segment-events"),
                List.of(OneSignalDelivery.NAME, OneSignalDelivery.TRIGGERS));
        registry.bind("dataInDeadLetters", deadLetters);
        metrics.publish("DeadLetters", deadLetters.topic(), deadLetters);
        DataInStats stats = metrics.dataIn(OneSignalDelivery.NAME);
        registry.bind("dataIn", new DataInBatches(apps, deadLetters, stats, OneSignalDelivery.NAME));
        registry.bind("triggerBatches", new DataInBatches(apps, deadLetters, stats, OneSignalDelivery.TRIGGERS));
        registry.bind("planAggregation", new PlanAggregation());
        registry.bind("segmentTranslator", new SegmentTranslator(
                Boolean.parseBoolean(setting(properties, "hub.onesignal.track-tag-prefix")),
                Boolean.parseBoolean(setting(properties, "hub.onesignal.custom-events")),
                Boolean.parseBoolean(setting(properties, "hub.onesignal.register-devices"))));

        String jdbcUrl = setting(properties, "hub.store.jdbc-url");
        if (jdbcUrl.isEmpty()) {
            // the sandbox's fakes start empty each time: so does its store
            jdbcUrl = Boolean.parseBoolean(setting(properties, "hub.sandbox")) ? "jdbc:h2:mem:signalhub-sandbox;DB_CLOSE_DELAY=-1" + HubStore.H2_OPTIONS
                    : HubStore.embeddedUrl(Path.of(setting(properties, "hub.data-dir")));
        }
        HubStore store = new HubStore(jdbcUrl,
                setting(properties, "hub.store.username"), setting(properties, "hub.store.password"));
        boolean enabled = apps.has(OneSignalApps.DEFAULT) || !setting(properties, "hub.onesignal.apps").isEmpty();
        // without a OneSignal app the Data In consumer does not run: Segment messages wait in Kafka
        properties.addOverrideProperty("hub.onesignal.enabled", String.valueOf(enabled));
        properties.addOverrideProperty("hub.onesignal.base-url", setting(properties, "hub.onesignal.base-url").replaceAll("/+$", ""));
        DestinationStats destinationStats = metrics.addDestination(OneSignalDelivery.NAME, enabled);
        registry.bind(OneSignalDelivery.NAME, new OneSignalDelivery(apps, Integer.parseInt(setting(properties, "hub.onesignal.tag-limit")),
                new KnownSegments(store), deadLetters, destinationStats, stats,
                new Pacing(Integer.parseInt(setting(properties, "hub.onesignal.rate-limit")), System::currentTimeMillis),
                Integer.parseInt(setting(properties, "hub.onesignal.notification-rate-limit")), retryGate));
        poison.put(OneSignalDelivery.NAME, new PoisonBatches.Sink(deadLetters, destinationStats));
        poison.put(OneSignalDelivery.TRIGGERS, new PoisonBatches.Sink(deadLetters, destinationStats));
        Triggers triggers = new Triggers(TriggersFile.load(Path.of(setting(properties, "hub.triggers.file")), apps.names()), apps,
                Boolean.parseBoolean(setting(properties, "hub.triggers.dry-run")), stats);
        registry.bind("triggers", triggers);
        registry.bind("triggerAggregation", new Triggers.Aggregation());
        // the triggers' consumer runs only when there is something to trigger
        properties.addOverrideProperty("hub.triggers.enabled", String.valueOf(enabled && triggers.any()));
        return new DataIn(apps, store, enabled, ingress);
    }

    /** Cohort sync: the cohorts file, the two sources, the pushes, the shared run steps. */
    private static void bindCohortSync(CamelContext camel, HubMetrics metrics, DataIn dataIn) throws Exception {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Registry registry = camel.getRegistry();
        CohortStore store = new CohortStore(dataIn.store());
        if (ClusteredSchedule.supports(setting(properties, "hub.store.jdbc-url"))) {
            // several instances share this store: each firing of the schedule runs on one of them
            QuartzComponent quartz = camel.getComponent("quartz", QuartzComponent.class);
            quartz.setPrefixInstanceName(false);
            quartz.setProperties(ClusteredSchedule.quartzProperties(dataIn.store(), "signalhub-cohorts"));
        }
        List<Cohort> cohorts = new ArrayList<>(CohortsFile.load(Path.of(setting(properties, "hub.cohorts.file")), dataIn.apps().names()));
        if (Boolean.parseBoolean(setting(properties, "hub.sandbox"))) {
            cohorts.add(new Cohort(Cohort.MIXPANEL, String.valueOf(Sandbox.MIXPANEL_COHORT), true, OneSignalApps.DEFAULT,
                    Cohort.defaultTag(Cohort.MIXPANEL, String.valueOf(Sandbox.MIXPANEL_COHORT))));
            cohorts.add(new Cohort(Cohort.AMPLITUDE, Sandbox.AMPLITUDE_COHORT, true, OneSignalApps.DEFAULT,
                    Cohort.defaultTag(Cohort.AMPLITUDE, Sandbox.AMPLITUDE_COHORT)));
        }
        CohortSync sync = new CohortSync(cohorts, dataIn.apps(), store, camel, metrics, Instant::now);
        registry.bind("cohortSync", sync);
        metrics.publish("CohortSync", "cohorts", sync);
        String userIdProperty = setting(properties, "hub.mixpanel.user-id-property");
        registry.bind("cohortPush", new CohortPush(sync, store, userIdProperty, metrics));
        registry.bind("mixpanelCohorts", new MixpanelCohorts(setting(properties, "hub.mixpanel.project-id"),
                setting(properties, "hub.mixpanel.service-account-username"), setting(properties, "hub.mixpanel.service-account-secret"),
                userIdProperty, Integer.parseInt(setting(properties, "hub.mixpanel.query-rate-limit"))));
        registry.bind("amplitudeCohorts", new AmplitudeCohorts(setting(properties, "hub.amplitude.api-key"),
                setting(properties, "hub.amplitude.secret-key"), store, Long.parseLong(setting(properties, "hub.amplitude.cohort-max-wait-ms"))));
        if (setting(properties, "hub.mixpanel.query-base-url").isEmpty()) {
            properties.addOverrideProperty("hub.mixpanel.query-base-url", Mixpanel.queryHost(setting(properties, "hub.mixpanel.region")));
        }
        if (setting(properties, "hub.amplitude.cohort-base-url").isEmpty()) {
            properties.addOverrideProperty("hub.amplitude.cohort-base-url", Amplitude.cohortHost(setting(properties, "hub.amplitude.region")));
        }
    }

    /** The default app ({@code hub.onesignal.app-id}) and the named ones ({@code hub.onesignal.apps}). */
    private static OneSignalApps oneSignalApps(PropertiesComponent properties) {
        Map<String, OneSignalApps.App> apps = new LinkedHashMap<>();
        String appId = setting(properties, "hub.onesignal.app-id");
        String apiKey = setting(properties, "hub.onesignal.api-key");
        if (!appId.isEmpty() && !apiKey.isEmpty()) {
            apps.put(OneSignalApps.DEFAULT, new OneSignalApps.App(OneSignalApps.DEFAULT, appId, apiKey));
        }
        for (String name : setting(properties, "hub.onesignal.apps").split(",")) {
            String app = name.trim();
            if (app.isEmpty()) {
                continue;
            }
            String id = setting(properties, "hub.onesignal.apps." + app + ".app-id");
            String key = setting(properties, "hub.onesignal.apps." + app + ".api-key");
            if (id.isEmpty() || key.isEmpty()) {
                throw new IllegalArgumentException("the OneSignal app '" + app + "' needs hub.onesignal.apps." + app
                        + ".app-id and .api-key");
            }
            apps.put(app, new OneSignalApps.App(app, id, key));
        }
        return new OneSignalApps(apps, OneSignalApps.parseWriteKeys(setting(properties, "hub.ingress.segment.write-keys"),
                apps.keySet()));
    }

    /**
     * Binds the destination bean, its controls (JMX and HTTP) and lag, and sets {@code hub.<name>.url}, the
     * endpoint the delivery route posts to, and {@code hub.<name>.enabled}, whether its consumer runs.
     */
    private static void bindDestination(CamelContext camel, HubMetrics metrics, DataOut dataOut, Vendor vendor,
                                        boolean enabled, String regionHost, String path) throws Exception {
        PropertiesComponent properties = camel.getPropertiesComponent();
        String name = vendor.name();
        String baseUrl = setting(properties, "hub." + name + ".base-url");
        properties.addOverrideProperty("hub." + name + ".url", (baseUrl.isEmpty() ? regionHost : baseUrl.replaceAll("/+$", "")) + path);
        properties.addOverrideProperty("hub." + name + ".enabled", String.valueOf(enabled));
        Map<String, String> table = EventNames.load(Path.of(setting(properties, "hub." + name + ".event-names")));
        EventNames names = EventNames.of(table, setting(properties, "hub." + name + ".events"));
        DetailNames details = DetailNames.load(Path.of(setting(properties, "hub." + name + ".event-properties")));
        DeliveredIds delivered = new DeliveredIds(dataOut.dedupCacheSize());
        DestinationStats stats = metrics.addDestination(name, enabled);
        Destination destination = new Destination(vendor, names, details, dataOut.parser(), delivered, stats, dataOut.deadLetters(),
                new Pacing(Integer.parseInt(setting(properties, "hub." + name + ".rate-limit")), System::currentTimeMillis),
                dataOut.retryGate());
        camel.getRegistry().bind(name, destination);
        String group = setting(properties, "hub.kafka.group-id") + "-" + name;
        DestinationControl control = new DestinationControl(camel, destination, "data-out-" + name, dataOut.groups(), group,
                dataOut.topic());
        dataOut.controls().add(control);
        metrics.publish("DestinationControl", name, control);
        dataOut.poison().put(name, new PoisonBatches.Sink(dataOut.deadLetters(), stats));
        if (enabled) {
            dataOut.groups().watch(group, dataOut.topic(), stats::lagRecords);
        }
    }

    /** Settings that mean a real deployment: sandbox mode would deliver its events to fakes and commit its offsets. */
    private static final List<String> PRODUCTION_SETTINGS = List.of("hub.kafka.brokers", "hub.store.jdbc-url",
            "hub.segment.write-key", "hub.amplitude.api-key", "hub.amplitude.secret-key", "hub.mixpanel.project-token",
            "hub.mixpanel.service-account-username", "hub.mixpanel.service-account-secret", "hub.onesignal.app-id",
            "hub.onesignal.api-key", "hub.onesignal.apps");

    private static void startSandbox(CamelContext camel, PropertiesComponent properties) throws Exception {
        List<String> production = PRODUCTION_SETTINGS.stream().filter(key -> !setting(properties, key).isEmpty()).toList();
        if (!production.isEmpty()) {
            throw new IllegalStateException("sandbox mode (--sandbox, hub.sandbox) sends everything to in-memory fakes and"
                    + " is refused while " + production + " are set: they belong to a real deployment. Unset them, or run without --sandbox");
        }
        Sandbox sandbox = new Sandbox();
        sandbox.start();
        camel.addService(sandbox);
        camel.getRegistry().bind("sandbox", sandbox);
        sandbox.settings().forEach(properties::addOverrideProperty);
        sandbox.seedUsers();
        sandbox.seedCohorts();
        // the seeded cohorts sync every minute, so a newcomer sees a run soon
        properties.addOverrideProperty("hub.cohorts.schedule", "0 * * * * ?");
        StringBuilder banner = new StringBuilder("\nsignalhub sandbox: Segment, Amplitude, Mixpanel and OneSignal are fakes on loopback.\n");
        if (setting(properties, "hub.ingress.segment.write-keys").isEmpty()) {
            properties.addOverrideProperty("hub.ingress.segment.write-keys", Sandbox.SEGMENT_WRITE_KEY);
            banner.append("  Segment write key for /v1/* = ").append(Sandbox.SEGMENT_WRITE_KEY).append('\n');
        }
        banner.append("  OneSignal users: " + String.join(", ", Sandbox.ONESIGNAL_USERS) + "\n"
                + "  cohorts synced every minute: mixpanel " + Sandbox.MIXPANEL_COHORT + ", amplitude " + Sandbox.AMPLITUDE_COHORT + "\n");
        for (String token : List.of("hub.ingress.token", "hub.admin.token")) {
            if (setting(properties, token).isEmpty()) {
                String generated = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
                properties.addOverrideProperty(token, generated);
                // shown once on the console (not the log) so the newcomer can call the hub
                banner.append("  ").append(token).append(" = ").append(generated).append('\n');
            }
        }
        Path tokens = Path.of(setting(properties, "hub.data-dir"), "sandbox-tokens.properties");
        Files.createDirectories(tokens.getParent());
        // readable by its owner only, from the moment it exists
        Files.deleteIfExists(tokens);
        Files.createFile(tokens, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokens, "hub.ingress.token=" + setting(properties, "hub.ingress.token")
                + "\nhub.admin.token=" + setting(properties, "hub.admin.token") + "\n");
        banner.append("  (also in ").append(tokens).append(")\n");
        // the fake OneSignal streams its notifications' message events back to this hub, as Event Streams would
        String template = setting(properties, "hub.sandbox.event-streams.template");
        EventStreamsEmitter emitter = new EventStreamsEmitter(
                URI.create("http://127.0.0.1:" + setting(properties, "camel.server.port") + "/onesignal/events"),
                setting(properties, "hub.sandbox.event-streams.method"),
                Map.of("Authorization", "Bearer " + setting(properties, doorSetting(properties, "hub.ingress.onesignal.token"))),
                template.isEmpty() ? EventStreamsEmitter.DOCUMENTED_TEMPLATE : Files.readString(Path.of(template)),
                Sandbox.EVENT_STREAMS_ATTEMPTS, Sandbox.EVENT_STREAMS_FIRST_RETRY_MILLIS, Sandbox.EVENT_STREAMS_DISABLE_AFTER);
        sandbox.onesignal().streamEventsTo(emitter);
        banner.append("  OneSignal notifications (POST ").append(sandbox.onesignal().baseUrl())
                .append("/notifications) stream their message events to /onesignal/events\n");
        System.out.println(banner);
    }

    /** The settings under a prefix, wherever they come from (the file, -D, the hub's own overrides). */
    private static Map<String, String> settingsStartingWith(PropertiesComponent properties, String prefix) {
        Map<String, String> found = new TreeMap<>();
        List<java.util.Properties> sources = new ArrayList<>(List.of(properties.loadProperties(key -> key.startsWith(prefix)),
                System.getProperties()));
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent component
                && component.getOverrideProperties() != null) {
            sources.add(component.getOverrideProperties());
        }
        // by name: Camel's ordered properties keep their entries beside the Hashtable that forEach walks
        for (java.util.Properties source : sources) {
            source.stringPropertyNames().stream().filter(key -> key.startsWith(prefix)).forEach(key -> found.put(key, source.getProperty(key)));
        }
        return found;
    }

    /** The setting holding one door's token: its own when set, else the shared hub.ingress.token. */
    private static SegmentIngress.WebhookDoor webhookDoor(PropertiesComponent properties, String secretSetting, BearerToken token) {
        String secret = setting(properties, secretSetting);
        return new SegmentIngress.WebhookDoor(secret.isEmpty() ? null : new WebhookSignature(secret), secretSetting, token);
    }

    private static String doorSetting(PropertiesComponent properties, String door) {
        return setting(properties, door).isEmpty() ? "hub.ingress.token" : door;
    }

    private static BearerToken doorToken(PropertiesComponent properties, String door) {
        String setting = doorSetting(properties, door);
        return new BearerToken(setting.equals(door) ? door : setting + " (or " + door + ")", setting(properties, setting));
    }

    private static void refuseAnOpenManagementServer(PropertiesComponent properties) {
        boolean authentication = Boolean.parseBoolean(setting(properties, "camel.management.authentication-enabled"));
        if (Boolean.parseBoolean(setting(properties, "camel.management.jolokia-enabled")) && !authentication) {
            throw new IllegalStateException("camel.management.jolokia-enabled would open JMX (every operation of the hub) to anyone"
                    + " who reaches the management port: set camel.management.authentication-enabled = true and"
                    + " camel.management.basic-properties-file as well");
        }
        // on a shared port Camel mounts the management endpoints on the main server, whose authentication
        // (camel.server.*) is not the management server's: Jolokia would answer without credentials
        if (authentication && setting(properties, "camel.management.port").equals(setting(properties, "camel.server.port"))) {
            throw new IllegalStateException("camel.management.port equals camel.server.port: Camel would then serve the management"
                    + " endpoints on the main server, where camel.management.authentication-enabled does not apply;"
                    + " give the management server a port of its own");
        }
    }

    private static String setting(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).map(String::trim).orElse("");
    }
}
