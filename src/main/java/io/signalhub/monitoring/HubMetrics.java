package io.signalhub.monitoring;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.camel.Service;

/**
 * The hub's own counters, published over JMX beside Camel's route statistics as
 * {@code io.signalhub:context=<hub>,type=<Destination|Ingress|DataIn|…>,name=<name>}.
 */
public final class HubMetrics implements Service {

    private final String context;
    private final Map<String, DestinationStats> destinations = new ConcurrentHashMap<>();
    private final Map<String, IngressStats> ingresses = new ConcurrentHashMap<>();
    private final Map<String, DataInStats> dataIn = new ConcurrentHashMap<>();
    private final Map<ObjectName, Object> beans = new ConcurrentHashMap<>();
    private final List<ObjectName> registered = new ArrayList<>();
    private boolean started;

    public HubMetrics(String context) {
        this.context = context;
    }

    public DestinationStats destination(String name) {
        return destinations.get(name);
    }

    public DestinationStats addDestination(String name, boolean enabled) {
        DestinationStats stats = new DestinationStats(enabled);
        destinations.put(name, stats);
        publish("Destination", name, stats);
        return stats;
    }

    public IngressStats ingress(String name) {
        return ingresses.computeIfAbsent(name, n -> {
            IngressStats stats = new IngressStats();
            publish("Ingress", n, stats);
            return stats;
        });
    }

    public DataInStats dataIn(String name) {
        return dataIn.computeIfAbsent(name, n -> {
            DataInStats stats = new DataInStats();
            publish("DataIn", n, stats);
            return stats;
        });
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
