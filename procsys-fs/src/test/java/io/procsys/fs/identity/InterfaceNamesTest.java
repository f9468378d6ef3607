package io.procsys.fs.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterfaceNamesTest {
    @Test
    void readableNamesForRemoteHostsLocalOnesUnchanged() {
        assertEquals("eth0", InterfaceNames.forHost(0, "eth0"));
        assertEquals("h3-eth0", InterfaceNames.forHost(3, "eth0"));
        assertEquals("h1-vethf345468", InterfaceNames.forHost(1, "vethf345468"));
        assertEquals("h255-docker0", InterfaceNames.forHost(255, "docker0"));
        String shortened = InterfaceNames.forHost(255, "vethf345468");
        assertEquals(15, shortened.length());
        assertTrue(shortened.matches("h255-vet~[0-9a-zA-Z]{6}"), shortened);
        assertEquals(shortened, InterfaceNames.forHost(255, "vethf345468"), "deterministic");
        assertEquals("h65535-eth0", InterfaceNames.forHost(HostIndex.MAX, "eth0"));
        String longest = InterfaceNames.forHost(HostIndex.MAX, "vethf345468");
        assertTrue(longest.matches("h65535-v~[0-9a-zA-Z]{6}"), "the last host index still leaves a head: " + longest);
        assertThrows(IllegalArgumentException.class, () -> InterfaceNames.forHost(HostIndex.MAX + 1, "eth0"));
    }

    @Test
    void alwaysAcceptableAndUniqueForDistinctInputs() {
        Random random = new Random(7);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.~:/ \t\u00e9\u00a0\u0085\u00ff\u0001!@";
        Map<String, String> inputOf = new HashMap<>();
        for (int n = 0; n < 200_000; n++) {
            int index = random.nextInt(4) == 0 ? HostIndex.MAX - random.nextInt(10) : 1 + random.nextInt(300);
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(3) == 0 ? 12 + random.nextInt(20) : 1 + random.nextInt(12);
            String chars = random.nextBoolean() ? alphabet.substring(0, 36) : alphabet; // mostly plausible names
            for (int i = 0; i < length; i++) {
                name.append(chars.charAt(random.nextInt(chars.length())));
            }
            String out = InterfaceNames.forHost(index, name.toString());
            assertTrue(out.getBytes(StandardCharsets.ISO_8859_1).length <= 15, out);
            assertTrue(InterfaceNames.isAcceptable(out), out);
            assertFalse(out.chars().anyMatch(c -> c == ':' || c == '/' || Character.isWhitespace(c) || Character.isSpaceChar(c)), out);
            String input = index + "/" + name;
            String before = inputOf.putIfAbsent(out, input);
            assertTrue(before == null || before.equals(input), input + " and " + before + " both give " + out);
        }
    }

    @Test
    void namesThatOnlyDifferByABadByteStayApart() {
        assertFalse(InterfaceNames.forHost(1, "a:b").equals(InterfaceNames.forHost(1, "a_b")));
        assertFalse(InterfaceNames.forHost(1, "a~b").equals(InterfaceNames.forHost(1, "a_b")));
        assertTrue(InterfaceNames.forHost(1, "a:b").startsWith("h1-a_b~"));
    }
}
