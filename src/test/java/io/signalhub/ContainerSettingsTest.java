package io.signalhub;

import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a container platform sets: the ports from the environment (Camel Main skips variables ending in _PORT). */
class ContainerSettingsTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @Test
    void theHttpAndManagementPortsComeFromHubHttpPortAndHubManagementPort() throws Exception {
        try (HubProcess hub = HubProcess.startWithPortsFromEnvironment("ports-from-env", TestHub.settings(FAKES, TestHub.newTopic()))) {
            // start() returned: the management port of HUB_MANAGEMENT_PORT answered UP
            assertTrue(hub.healthy());
            assertEquals(401, hub.post("/onesignal/events", null, "{}").statusCode(), "the ingress listens on HUB_HTTP_PORT");
        }
    }
}
