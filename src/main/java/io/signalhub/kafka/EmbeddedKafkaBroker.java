package io.signalhub.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.camel.Service;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Features;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker running in this JVM, so the hub needs nothing else installed.
 * Its log directory survives restarts: storage is formatted only the first time.
 */
public final class EmbeddedKafkaBroker implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final Path logDir;
    private final int port;
    private KafkaRaftServer server;
    private CompletableFuture<Void> starting;
    private int securedPort;
    private Map<String, String> securedListener = Map.of();

    /** @param port the broker's port, or 0 for a free one (chosen now, so the address is known before the start) */
    public EmbeddedKafkaBroker(Path logDir, int port) throws IOException {
        this.logDir = logDir;
        this.port = port > 0 ? port : freePort();
    }

    /**
     * Starts the broker on another thread and returns at once: the hub loads its routes meanwhile
     * (the broker takes about 3 s to start). {@link #start()} waits for it.
     */
    public synchronized void startInBackground() {
        if (starting == null && server == null) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    startNow();
                    started.complete(null);
                } catch (RuntimeException e) {
                    started.completeExceptionally(e);
                }
            }, "embedded-kafka-start");
            thread.setDaemon(true);
            thread.start();
            starting = started;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Adds a SASL_SSL listener on another port, as managed clusters have, before the start: its settings are
     * the listener's broker settings without the {@code listener.name.secured.} prefix (ssl.keystore.*,
     * sasl.enabled.mechanisms, plain.sasl.jaas.config, …). The plain port stays for the broker itself.
     */
    public EmbeddedKafkaBroker withSecuredListener(Map<String, String> settings) throws IOException {
        securedPort = freePort();
        securedListener = Map.copyOf(settings);
        return this;
    }

    public String securedBootstrapServers() {
        return "127.0.0.1:" + securedPort;
    }

    @Override
    public void start() {
        CompletableFuture<Void> background;
        synchronized (this) {
            background = starting;
            starting = null;
        }
        if (background == null) {
            startNow();
            return;
        }
        try {
            background.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private synchronized void startNow() {
        if (server != null) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            int controllerPort = freePort();
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            String secured = securedListener.isEmpty() ? "" : ",SECURED://127.0.0.1:" + securedPort;
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + secured + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + secured);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
                    + (securedListener.isEmpty() ? "" : ",SECURED:SASL_SSL"));
            securedListener.forEach((key, value) -> props.put("listener.name.secured." + key, value));
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", logDir.toAbsolutePath().toString());
            props.put("num.partitions", "4");
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "4");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("auto.create.topics.enable", "true");
            props.put("log.retention.hours", "168");
            // Kafka sizes the compaction buffer (for __consumer_offsets) for a dedicated broker: 128 MB of this
            // JVM's heap; the hub's few groups need a tiny fraction of that
            props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
            // Kafka's thread pools are sized for a dedicated broker (8 request handlers for the broker and 8 for the
            // controller, 10 background threads): in the hub's JVM they share its cores and each thread's stack
            // is resident memory
            int cores = Runtime.getRuntime().availableProcessors();
            props.put("num.io.threads", String.valueOf(Math.max(2, cores)));
            props.put("num.network.threads", "2");
            props.put("background.threads", "2");
            KafkaConfig config = KafkaConfig.fromProps(props, false);

            if (!Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
                new Formatter()
                        .setPrintStream(System.out)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setNodeId(1)
                        .addDirectory(logDir.toAbsolutePath().toString())
                        .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .setSupportedFeatures(Features.PRODUCTION_FEATURES)
                        .run();
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            LOG.info("Embedded Kafka broker listening on {} (data in {})", bootstrapServers(), logDir);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded Kafka broker in " + logDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
