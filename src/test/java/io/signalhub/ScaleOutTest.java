package io.signalhub;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.signalhub.sandbox.Sandbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hubs on one Kafka topic and consumer group (as two instances of a deployment): the partitions
 * are shared, each event is delivered once in steady state, and when one hub leaves mid-stream the
 * other takes its partitions over without losing anything.
 */
class ScaleOutTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static void send(TestHub hub, int from, int count) throws Exception {
        for (int i = from; i < from + count; i += 50) {
            assertEquals(202, hub.postEvents(DataOutEndToEndTest.batch(i, 50)).statusCode());
        }
    }

    /** Until the consumer group has this many members, each with partitions assigned. */
    private static void awaitMembers(String group, int members) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestHub.brokers()))) {
            await(members + " members in " + group, WAIT, () -> {
                try {
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    return description.members().size() == members
                            && description.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
    }

    @Test
    void twoInstancesShareThePartitionsAndOneLeavingLosesNothing() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        TestHub second = null;
        try (TestHub first = TestHub.start(settings)) {
            second = TestHub.start(new HashMap<>(settings));
            awaitMembers(settings.get("hub.kafka.group-id"), 2);
            send(first, 0, 1000);
            send(second, 1000, 1000);
            await("2,000 events at Segment", WAIT, () -> FAKES.segment().accepted().size() == 2000);
            await("2,000 events at Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() == 2000);
            long firstDelivered = first.metrics().destination("segment").getDelivered();
            long secondDelivered = second.metrics().destination("segment").getDelivered();
            assertTrue(firstDelivered > 0 && secondDelivered > 0,
                    "both instances delivered: " + firstDelivered + " and " + secondDelivered);
            assertEquals(2000, firstDelivered + secondDelivered, "each event delivered once in steady state");
            assertEquals(0, FAKES.segment().silentlyDropped(), "no event sent twice");

            // the second instance leaves while events keep coming: the first takes its partitions over
            TestHub leaving = second;
            Thread stopper = new Thread(leaving::close);
            stopper.start();
            send(first, 2000, 1000);
            stopper.join();
            second = null;
            await("3,000 events at Segment", WAIT, () -> FAKES.segment().accepted().size() == 3000);
            await("3,000 events at Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() == 3000);
            await("3,000 events at Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() == 3000);
        } finally {
            if (second != null) {
                second.close();
            }
        }
    }
}
