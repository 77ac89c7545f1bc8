package io.signalhub.delivery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.signalhub.Json;
import io.signalhub.ingress.InvalidInputException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** {@code POST /admin/destinations/{name}/{pause|resume|rewind}}: the JMX operations over HTTP. */
public final class DestinationControls {

    private final Map<String, DestinationControl> controls = new LinkedHashMap<>();

    public void add(DestinationControl control) {
        controls.put(control.name(), control);
    }

    /** Whether the destination is paused on this instance; null for one without controls. */
    public Boolean paused(String name) {
        DestinationControl control = controls.get(name);
        return control == null ? null : control.isPaused();
    }

    public void answer(Exchange exchange) {
        Message message = exchange.getMessage();
        String name = message.getHeader("name", String.class);
        String action = message.getHeader("action", String.class);
        DestinationControl control = controls.get(name);
        if (control == null) {
            throw new InvalidInputException("unknown destination '" + Json.abbreviate(name, 40) + "'; one of " + controls.keySet());
        }
        String answer;
        try {
            answer = act(control, name, action, message.getHeader("since", String.class));
        } catch (IllegalStateException e) {
            throw new InvalidInputException(409, "conflict", List.of(e.getMessage()));
        }
        message.removeHeaders("*");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(answer);
    }

    private static String act(DestinationControl control, String name, String action, String since) {
        String answer;
        switch (action == null ? "" : action) {
            case "pause" -> {
                control.pause();
                answer = "{\"destination\":\"" + name + "\",\"paused\":true}";
            }
            case "resume" -> {
                control.resume();
                answer = "{\"destination\":\"" + name + "\",\"paused\":false}";
            }
            case "rewind" -> {
                long again = control.rewind(since);
                answer = "{\"destination\":\"" + name + "\",\"since\":\"" + since.trim() + "\",\"records\":" + again + "}";
            }
            default -> throw new InvalidInputException("unknown action '" + Json.abbreviate(action, 40)
                    + "'; one of pause, resume, rewind");
        }
        return answer;
    }
}
