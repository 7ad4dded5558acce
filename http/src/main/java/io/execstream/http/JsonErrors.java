package io.execstream.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Pattern;

/**
 * Says what is wrong with a request body that is not valid JSON, and where, in words for the
 * client: Jackson's own messages name its settings and internals ({@code StreamReadFeature},
 * {@code StreamReadConstraints}, a {@code Source: REDACTED} location) that mean nothing to it.
 */
final class JsonErrors {
    /** Jackson's location of where a structure started, appended to some of its messages. */
    private static final Pattern SOURCE = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*\\[Source:[^\\]]*\\]");
    private static final Pattern CONTROL_CHAR = Pattern.compile("\\(CTRL-CHAR, code (\\d+)\\)");
    private static final Pattern CHAR_CODE = Pattern.compile(" \\(code \\d+\\)");
    private static final String ANY_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
    private static final int MAX_LENGTH = 200;

    private JsonErrors() {
    }

    /** {@code at line L, column C: what is wrong}, without any of Jackson's internals. */
    static String describe(JacksonException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return where + ": " + what(e);
    }

    private static String what(JacksonException e) {
        if (e instanceof JsonEOFException) {
            return "it ends before the JSON is complete (an object, array or string is not closed)";
        }
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof StreamConstraintsException) {
            if (message.startsWith("Document nesting depth")) {
                return "arrays and objects are nested too deep (at most " + ApiJson.MAX_NESTING_DEPTH + " levels)";
            }
            if (message.startsWith("Number value length")) {
                return "a number is too long (at most " + ApiJson.MAX_NUMBER_LENGTH + " characters)";
            }
            return "it is over one of the server's limits on JSON";
        }
        if (message.startsWith("Trailing token")) {
            return "more follows the JSON value; a body holds one object";
        }
        String text = SOURCE.matcher(message).replaceAll("");
        text = CONTROL_CHAR.matcher(text).replaceAll(code -> String.format("U+%04X", Integer.parseInt(code.group(1))));
        text = CHAR_CODE.matcher(text).replaceAll("")
                .replace(ANY_VALUE, "a JSON value: a string, number, array, object, true, false or null")
                .replace("was expecting", "expected");
        text = text.isEmpty() ? "it is not valid JSON" : Character.toLowerCase(text.charAt(0)) + text.substring(1);
        text = text.replaceAll("\\p{Cntrl}", "?");
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
    }
}
