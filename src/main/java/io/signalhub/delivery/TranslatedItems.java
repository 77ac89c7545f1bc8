package io.signalhub.delivery;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/** The splitter's aggregation in the destination routes: one {@link Translated} for the whole batch. */
public final class TranslatedItems implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange gathered, Exchange group) {
        Translated translated = group.getMessage().getBody(Translated.class);
        if (gathered == null) {
            group.getMessage().setBody(translated == null ? Translated.empty() : translated);
            return group;
        }
        if (translated != null) {
            gathered.getMessage().getBody(Translated.class).add(translated);
        }
        return gathered;
    }

    @Override
    public void onCompletion(Exchange gathered, Exchange original) {
        if (gathered == null) {
            original.getMessage().setBody(Translated.empty());
        }
    }
}
