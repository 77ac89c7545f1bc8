package io.signalhub.eventstreams;

import io.signalhub.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LocalizedTextTest {

    @Test
    void readsTheRenderedDictInTheUsersLanguageElseEnglishElseTheFirst() {
        String title = "{'en':'Flash Sale', 'de': 'Ausverkauf'}";
        assertEquals("Ausverkauf", LocalizedText.of(title, "de"));
        assertEquals("Flash Sale", LocalizedText.of(title, "fr"));
        assertEquals("Flash Sale", LocalizedText.of(title, null));
        assertEquals("Soldes", LocalizedText.of("{'fr':'Soldes','es':'Rebajas'}", "it"));
        assertEquals("It's on, \"now\"", LocalizedText.of("{'en':'It\\'s on, \"now\"'}", "en"));
        assertEquals("a: b, c", LocalizedText.of("{\"en\": \"a: b, c\"}", "en"));
    }

    @Test
    void leavesEverythingElseAsItIs() {
        assertEquals("Your receipt", LocalizedText.of("Your receipt", "en"));
        assertEquals("{not a dict}", LocalizedText.of("{not a dict}", "en"));
        assertEquals("{'en':'open", LocalizedText.of("{'en':'open", "en"));
        assertEquals("{'en':'a'} tail", LocalizedText.of("{'en':'a'} tail", "en"));
        assertNull(LocalizedText.of((String) null, "en"));
    }

    @Test
    void readsAnObjectOfLanguagesAsANestedTemplateSendsIt() {
        assertEquals("Hallo", LocalizedText.of(Json.readObject("{\"en\":\"Hi\",\"de\":\"Hallo\"}"), "de"));
        assertEquals("Hi", LocalizedText.of(Json.readObject("{\"en\":\"Hi\"}"), "pt"));
    }
}
