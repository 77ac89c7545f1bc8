package io.signalhub.delivery;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveredIdsTest {

    @Test
    void behavesAsABoundedFifoSetOfIds() {
        int capacity = 1000;
        DeliveredIds ids = new DeliveredIds(capacity);
        ArrayDeque<String> order = new ArrayDeque<>();
        Set<String> model = new HashSet<>();
        Random random = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            // ids from a range a few times the capacity: many repeats, evictions all the time
            String id = "evt-" + random.nextInt(capacity * 3);
            if (random.nextBoolean()) {
                assertEquals(model.contains(id), ids.contains(id), "contains " + id + " at step " + step);
            } else {
                boolean isNew = model.add(id);
                assertEquals(isNew, ids.add(id), "add " + id + " at step " + step);
                if (isNew) {
                    order.addLast(id);
                    if (order.size() > capacity) {
                        model.remove(order.removeFirst());
                    }
                }
            }
            assertEquals(model.size(), ids.size());
        }
        for (String id : model) {
            assertTrue(ids.contains(id), id);
        }
    }

    @Test
    void forgetsEverythingWhenCleared() {
        DeliveredIds ids = new DeliveredIds(3);
        ids.add("a");
        ids.add("b");
        ids.clear();
        assertFalse(ids.contains("a"));
        assertEquals(0, ids.size());
        assertTrue(ids.add("a"));
        ids.add("b");
        ids.add("c");
        ids.add("d");
        assertFalse(ids.contains("a"), "the oldest went when a fourth came");
        assertTrue(ids.contains("b") && ids.contains("c") && ids.contains("d"));
    }
}
