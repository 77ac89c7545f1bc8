package io.signalhub.cohorts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packed External IDs a cohort's diff looks members up in. */
public class MemberIdsTest {

    private static List<String> all(MemberIds ids) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            all.add(ids.get(i));
        }
        return all;
    }

    @Test
    void sortedHoldsEachIdOnceInOrderAndFindsIt() {
        MemberIds ids = new MemberIds();
        // past the first capacity of both arrays, repeated, in no order, some not ASCII
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            added.add("user-" + (i * 7919 % 3_000));
        }
        added.addAll(List.of("user-1", "ünïcode-é", "emoji-😀", "", "user-1"));
        added.forEach(id -> assertTrue(ids.add(id)));
        assertEquals(added.size(), ids.size());

        MemberIds sorted = ids.sorted();
        Set<String> distinct = new TreeSet<>(added);
        assertEquals(distinct.size(), sorted.size());
        assertEquals(new ArrayList<>(distinct), all(sorted));  // byte order is String order for these
        for (String id : distinct) {
            assertEquals(id, sorted.get(sorted.indexOf(id)));
        }
        assertTrue(sorted.indexOf("user-3000") < 0);
        assertTrue(sorted.indexOf("user-") < 0);
        assertTrue(sorted.indexOf("emoji-😁") < 0);
        assertTrue(sorted.indexOf("zzz") < 0);
    }

    @Test
    void anIdThatIsNotWellFormedUnicodeIsRefused() {
        MemberIds ids = new MemberIds();
        assertFalse(ids.add("broken-\uD83D"));
        assertFalse(ids.add("\uDE00-broken"));
        assertTrue(ids.add("whole-\uD83D\uDE00"));
        assertEquals(List.of("whole-😀"), all(ids.sorted()));
        assertTrue(ids.sorted().indexOf("broken-?") < 0);
    }

    @Test
    void anEmptySetFindsNothing() {
        MemberIds sorted = new MemberIds().sorted();
        assertEquals(0, sorted.size());
        assertTrue(sorted.indexOf("anyone") < 0);
    }
}
