package io.signalhub.datain;

import io.signalhub.vendors.onesignal.OneSignalPlan;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers the translations of one poll's messages (the splitter's parts) into a {@link OneSignalPlan},
 * the body of the aggregated exchange.
 */
public final class PlanAggregation implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange plan, Exchange translated) {
        Exchange into = plan == null ? translated : plan;
        OneSignalPlan collected = plan == null ? new OneSignalPlan() : plan.getMessage().getBody(OneSignalPlan.class);
        collected.add(translated.getMessage().getBody(Translation.class));
        into.getMessage().setBody(collected);
        return into;
    }
}
