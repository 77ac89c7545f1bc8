package io.signalhub.cohorts;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Amplitude's cohort file is RFC 4180 CSV with a quoted header row. */
class AmplitudeCohortFileTest {

    @Test
    void readsQuotedFieldsDoubledQuotesAndLineBreaks() {
        String file = "\"amplitude_id\",\"user_id\",\"note\"\r\n\"1\",\"user_12345\",\"a, b\"\n\"2\",\"\",\"\"\"quoted\"\"\"\n"
                + "3,plain,\"two\nlines\"";
        assertEquals(List.of(
                List.of("amplitude_id", "user_id", "note"),
                List.of("1", "user_12345", "a, b"),
                List.of("2", "", "\"quoted\""),
                List.of("3", "plain", "two\nlines")), AmplitudeCohorts.csv(file));
    }
}
