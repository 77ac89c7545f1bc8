package io.signalhub.eventstreams;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Push titles and contents are localised: Event Streams renders {@code {{ message.title }}} as a
 * Python-style dict, {@code {'en':'Flash Sale','de':'Ausverkauf'}}
 * (https://documentation.onesignal.com/docs/en/event-streams-data), and a nested template may pass
 * the object itself. Either reads as the text in the event's language, else English, else the first.
 * Anything else (an email subject, plain text) is the text as it is.
 */
public final class LocalizedText {

    private LocalizedText() {
    }

    /** The text of a JSON value: an object of language → text, or a scalar (perhaps a rendered dict). */
    public static String of(JsonNode value, String language) {
        if (value.isObject()) {
            Map<String, String> byLanguage = new LinkedHashMap<>();
            value.fields().forEachRemaining(e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                    byLanguage.put(e.getKey(), e.getValue().asText());
                }
            });
            return byLanguage.isEmpty() ? null : choose(byLanguage, language);
        }
        return of(value.asText(), language);
    }

    /** The text of a rendered value; a string that is not a rendered dict is returned as it is. */
    public static String of(String text, String language) {
        if (text == null) {
            return null;
        }
        Map<String, String> byLanguage = parseDict(text.strip());
        return byLanguage == null || byLanguage.isEmpty() ? text : choose(byLanguage, language);
    }

    private static String choose(Map<String, String> byLanguage, String language) {
        if (language != null && byLanguage.containsKey(language)) {
            return byLanguage.get(language);
        }
        if (byLanguage.containsKey("en")) {
            return byLanguage.get("en");
        }
        return byLanguage.values().iterator().next();
    }

    /** {'key':'value', "key": "value", …} with Python's string escapes; null when the text is not such a dict. */
    static Map<String, String> parseDict(String text) {
        if (text.length() < 2 || text.charAt(0) != '{' || text.charAt(text.length() - 1) != '}') {
            return null;
        }
        Map<String, String> entries = new LinkedHashMap<>();
        int[] at = {1};
        skipSpace(text, at);
        if (text.charAt(at[0]) == '}') {
            return at[0] == text.length() - 1 ? entries : null;
        }
        while (true) {
            String key = quoted(text, at);
            skipSpace(text, at);
            if (key == null || at[0] >= text.length() || text.charAt(at[0]) != ':') {
                return null;
            }
            at[0]++;
            skipSpace(text, at);
            String value = quoted(text, at);
            if (value == null) {
                return null;
            }
            entries.putIfAbsent(key, value);
            skipSpace(text, at);
            if (at[0] >= text.length()) {
                return null;
            }
            char next = text.charAt(at[0]++);
            if (next == '}') {
                return at[0] == text.length() ? entries : null;
            }
            if (next != ',') {
                return null;
            }
            skipSpace(text, at);
        }
    }

    private static String quoted(String text, int[] at) {
        if (at[0] >= text.length()) {
            return null;
        }
        char quote = text.charAt(at[0]);
        if (quote != '\'' && quote != '"') {
            return null;
        }
        StringBuilder value = new StringBuilder();
        for (int i = at[0] + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote) {
                at[0] = i + 1;
                return value.toString();
            }
            if (c == '\\' && i + 1 < text.length()) {
                char escaped = text.charAt(++i);
                value.append(switch (escaped) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> escaped;
                });
            } else {
                value.append(c);
            }
        }
        return null;
    }

    private static void skipSpace(String text, int[] at) {
        while (at[0] < text.length() && Character.isWhitespace(text.charAt(at[0]))) {
            at[0]++;
        }
    }
}
