package io.procsys.fs;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeKindTest {
    @Test
    void pidNamesAreDigitsWithoutLeadingZero() {
        assertTrue(NodeKind.isPid("1"));
        assertTrue(NodeKind.isPid("4194304"));
        assertFalse(NodeKind.isPid("0"));
        assertFalse(NodeKind.isPid("01"));
        assertFalse(NodeKind.isPid("self"));
        assertFalse(NodeKind.isPid("12a"));
        assertFalse(NodeKind.isPid(""));
        assertFalse(NodeKind.isPid("12345678901"));
    }

    @Test
    void kindsFollowTheTree() {
        assertEquals(NodeKind.PROCESS, NodeKind.of(NodeKind.ROOT, "42", true));
        assertEquals(NodeKind.PROCESS, NodeKind.of(NodeKind.PROCESS, "status", true));
        assertEquals(NodeKind.GLOBAL, NodeKind.of(NodeKind.ROOT, "meminfo", true));
        assertEquals(NodeKind.GLOBAL, NodeKind.of(NodeKind.GLOBAL, "42", true));
        assertEquals(NodeKind.SELF, NodeKind.of(NodeKind.ROOT, "self", true));
        assertEquals(NodeKind.THREAD_SELF, NodeKind.of(NodeKind.ROOT, "thread-self", true));
        // a captured tree keeps its own self link
        assertEquals(NodeKind.GLOBAL, NodeKind.of(NodeKind.ROOT, "self", false));
    }
}
