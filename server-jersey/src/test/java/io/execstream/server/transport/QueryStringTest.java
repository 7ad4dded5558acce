package io.execstream.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class QueryStringTest {
    @Test
    void findsTheFirstValueOfAName() {
        assertEquals("abc", QueryString.first("token=abc", "token"));
        assertEquals("7", QueryString.first("token=abc&last_event_id=7", "last_event_id"));
        assertEquals("one", QueryString.first("x=1&token=one&token=two", "token"));
    }

    @Test
    void absentIsNullAndANameWithoutAValueIsEmpty() {
        assertNull(QueryString.first(null, "token"));
        assertNull(QueryString.first("", "token"));
        assertNull(QueryString.first("tokens=1&atoken=2", "token"));
        assertEquals("", QueryString.first("token", "token"));
        assertEquals("", QueryString.first("a=1&token=&b=2", "token"));
        assertEquals("", QueryString.first("a=1&token", "token"));
    }

    @Test
    void decodesNamesAndValuesAsUtf8() {
        assertEquals("a+b c", QueryString.first("token=a%2Bb+c", "token"));
        assertEquals("v", QueryString.first("t%6Fken=v", "token"));
        assertEquals("é", QueryString.first("token=%C3%A9", "token"));
        assertEquals("x=y", QueryString.first("token=x=y", "token"), "only the first = splits");
    }

    @Test
    void aPairWithABrokenEncodingIsSkipped() {
        assertEquals("ok", QueryString.first("token=%zz&token=ok", "token"));
        assertNull(QueryString.first("token=%4", "token"));
    }
}
