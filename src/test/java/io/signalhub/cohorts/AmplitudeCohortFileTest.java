package io.signalhub.cohorts;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Amplitude's cohort file is RFC 4180 CSV with a quoted header row. */
class AmplitudeCohortFileTest {

    @Test
    void readsQuotedFieldsDoubledQuotesAndLineBreaks() throws Exception {
        String file = "\"amplitude_id\",\"user_id\",\"note\"\r\n\"1\",\"user_12345\",\"a, b\"\n\"2\",\"\",\"\"\"quoted\"\"\"\n"
                + "3,plain,\"two\nlines\"";
        assertEquals(List.of(
                List.of("amplitude_id", "user_id", "note"),
                List.of("1", "user_12345", "a, b"),
                List.of("2", "", "\"quoted\""),
                List.of("3", "plain", "two\nlines")), rows(file));
    }

    @Test
    void endsWithOrWithoutALineBreak() throws Exception {
        assertEquals(List.of(List.of("user_id"), List.of("a")), rows("user_id\r\na\r\n"));
        assertEquals(List.of(List.of("user_id"), List.of("a")), rows("user_id\na"));
        assertEquals(List.of(), rows(""));
    }

    private static List<List<String>> rows(String file) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        AmplitudeCohorts.csv(new StringReader(file), rows::add);
        return rows;
    }
}
