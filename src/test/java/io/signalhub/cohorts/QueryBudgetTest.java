package io.signalhub.cohorts;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryBudgetTest {

    @Test
    void allowsSoManyQueriesInAnyHourAndFreesThemAnHourAfterEach() {
        AtomicLong now = new AtomicLong(1_000_000);
        QueryBudget budget = new QueryBudget(3, now::get);
        assertTrue(budget.tryTake());
        now.addAndGet(600_000);
        assertTrue(budget.tryTake());
        assertTrue(budget.tryTake());
        assertFalse(budget.tryTake(), "three in the hour");
        assertEquals(50, budget.minutesUntilFree());
        now.addAndGet(3_000_000);
        assertTrue(budget.tryTake(), "the first is an hour old");
        assertFalse(budget.tryTake());
    }
}
