package io.signalhub.bench;

import org.apache.camel.Exchange;
import org.apache.camel.main.Main;

/**
 * The baseline of the ingest benchmark, run as its own process: the least a Camel route can do to take an
 * HTTP body into Kafka durably — platform-http → Kafka producer with acks=all and idempotence, on Camel
 * Main's defaults, no validation — answering 202 once Kafka acknowledged the record.
 * Arguments: the HTTP port, the brokers, the topic.
 */
public final class BareIngest {

    private BareIngest() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String brokers = args[1];
        String topic = args[2];
        Main main = new Main();
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.configure().addLambdaRouteBuilder(routes -> routes
                .from("platform-http:/events?httpMethodRestrict=POST")
                .removeHeaders("*")
                .to("kafka:" + topic + "?brokers=" + brokers + "&requestRequiredAcks=all&enableIdempotence=true&lingerMs=1")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, routes.constant(202))
                .setBody(routes.constant("{\"accepted\":1}")));
        main.run();
    }
}
