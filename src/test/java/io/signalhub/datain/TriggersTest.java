package io.signalhub.datain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.onesignal.OneSignalRequest;
import io.signalhub.vendors.segment.SegmentMessage;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriggersTest {

    private static final OneSignalApps APPS = new OneSignalApps(
            Map.of(OneSignalApps.DEFAULT, new OneSignalApps.App(OneSignalApps.DEFAULT, "app-1", "key-1")), Map.of());

    private static List<Trigger> load(String yaml) throws Exception {
        Path file = Files.createTempFile("triggers", ".yaml");
        Files.writeString(file, yaml);
        return TriggersFile.load(file, Set.of(OneSignalApps.DEFAULT));
    }

    private static SegmentMessage message(String json) throws Exception {
        return new SegmentMessage(OneSignalApps.DEFAULT, (ObjectNode) Json.MAPPER.readTree(json), json);
    }

    @Test
    void theFileNamesEveryProblem() throws Exception {
        assertEquals(List.of(), load("triggers: []"));
        String ok = "triggers:\n  - name: a\n    when: {event: Bought}\n    send: {contents: {en: Hi}}\n";
        assertEquals("push", load(ok).get(0).channel());
        Map<String, String> broken = Map.of(
                "triggers:\n  - name: a\n    when: {event: Bought, audience: x}\n    send: {contents: {en: Hi}}\n", "either audience",
                "triggers:\n  - name: a\n    when: {audience: x}\n    send: {contents: {en: Hi}}\n", "entered",
                "triggers:\n  - name: a\n    when: {event: Bought}\n    send: {contents: {de: Hallo}}\n", "English",
                "triggers:\n  - name: a\n    when: {event: Bought}\n    app: shop\n    send: {template_id: t}\n", "'shop'",
                "triggers:\n  - name: a\n    when: {event: Bought}\n    send: {template_id: t, include_aliases: {external_id: [x]}}\n", "include_aliases",
                "triggers:\n  - name: a\n    when: {event: Bought}\n    channel: pigeon\n    send: {template_id: t}\n", "pigeon",
                ok + ok.substring("triggers:\n".length()), "a name of its own");
        broken.forEach((yaml, problem) -> {
            Exception e = assertThrows(IllegalArgumentException.class, () -> load(yaml), yaml);
            assertTrue(e.getMessage().contains(problem), e.getMessage());
        });
    }

    @Test
    void audienceAndEventTriggersMatchOnlyWhatTheyWaitFor() throws Exception {
        List<Trigger> triggers = load("triggers:\n  - name: in\n    when: {audience: vip, entered: true}\n    send: {template_id: t}\n"
                + "  - name: out\n    when: {audience: vip, entered: false}\n    send: {template_id: t}\n"
                + "  - name: bought\n    when: {event: Bought}\n    send: {template_id: t}\n");
        Triggers matcher = new Triggers(triggers, APPS, false, new DataInStats());
        String personas = ",\"context\":{\"personas\":{\"computation_class\":\"audience\",\"computation_key\":\"vip\"}}";
        assertEquals(List.of("in"), names(matcher.match(message("{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"vip\":true}" + personas + "}"))));
        assertEquals(List.of("out"), names(matcher.match(message("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Audience Exited\","
                + "\"properties\":{\"audience_key\":\"vip\",\"vip\":false}}"))));
        assertEquals(List.of("bought"), names(matcher.match(message("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Bought\"}"))));
        assertEquals(List.of(), names(matcher.match(message("{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"Bought\"}"))),
                "no userId: nobody to notify");
    }

    @Test
    void aPollsUsersGoTogetherUpToTwoThousandARequestWithStableIdempotencyKeys() throws Exception {
        Trigger trigger = load("triggers:\n  - name: bought\n    when: {event: Bought}\n    send: {contents: {en: Thanks}}\n").get(0);
        Triggers triggers = new Triggers(List.of(trigger), APPS, false, new DataInStats());
        Triggers.Plan plan = new Triggers.Plan();
        for (int i = 0; i < 2001; i++) {
            plan.add(List.of(new Triggers.Match(trigger, "u" + i, "m" + i, "r" + i)));
        }
        plan.add(List.of(new Triggers.Match(trigger, "u0", "again", "r-again")));
        List<OneSignalRequest> requests = triggers.requests(exchange(plan));
        assertEquals(List.of(2000, 1), requests.stream().map(OneSignalRequest::items).toList());
        JsonNode first = Json.MAPPER.readTree(requests.get(0).body());
        assertEquals("app-1", first.path("app_id").asText());
        assertEquals("u0", first.path("include_aliases").path("external_id").get(0).asText());
        assertEquals("Thanks", first.path("contents").path("en").asText());
        assertEquals("/notifications", requests.get(0).path());
        String key = first.path("idempotency_key").asText();
        assertEquals(key, Json.MAPPER.readTree(triggers.requests(exchange(plan)).get(0).body()).path("idempotency_key").asText(),
                "the same poll again: the same key");
        assertTrue(!key.equals(Json.MAPPER.readTree(requests.get(1).body()).path("idempotency_key").asText()));
    }

    private static Exchange exchange(Triggers.Plan plan) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(plan);
        return exchange;
    }

    private static List<String> names(List<Triggers.Match> matches) {
        return matches.stream().map(m -> m.trigger().name()).toList();
    }
}
