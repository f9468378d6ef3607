package io.procsys.history;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateTest {
    static final Path FIXTURES = Path.of("src/test/data/history");

    private static byte[] roundTrip(byte[] text) {
        Template.Split s = Template.split(text);
        return s.template().render(s.values());
    }

    @Test
    void everyFixtureComesBackByteForByte() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            for (Path f : files.toList()) {
                byte[] text = Files.readAllBytes(f);
                assertArrayEquals(text, roundTrip(text), f.toString());
            }
        }
    }

    @Test
    void theLiveProcFilesComeBackByteForByte() throws IOException {
        for (String name : new String[]{"stat", "meminfo", "vmstat", "self/stat", "self/status", "self/cmdline", "net/dev", "uptime", "loadavg"}) {
            byte[] text = Files.readAllBytes(Path.of("/proc", name));
            assertArrayEquals(text, roundTrip(text), name);
        }
    }

    @Test
    void anyBytesComeBack() {
        Random random = new Random(40);
        byte[] alphabet = "0123456789. -\n:\0x".getBytes(StandardCharsets.ISO_8859_1);
        for (int n = 0; n < 2000; n++) {
            byte[] text = new byte[random.nextInt(80)];
            for (int i = 0; i < text.length; i++) text[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            assertArrayEquals(text, roundTrip(text), new String(text, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void numbersAreSlotsAndTheTextAroundThemIsShared() {
        Template.Split a = Template.split("cpu  10 0 20 300\nctxt 5\n".getBytes());
        Template.Split b = Template.split("cpu  11 0 25 301\nctxt 99999\n".getBytes());
        assertEquals(a.template(), b.template());
        assertEquals(5, a.template().slots());
        assertArrayEquals(new long[]{11, 0, 25, 301, 99999}, b.values());
    }

    @Test
    void fractionsAndZeroPaddedNumbersKeepTheirWidth() {
        Template.Split a = Template.split("0.05 0.15 1.00 1/100 0022\n".getBytes());
        Template.Split b = Template.split("0.25 1.15 2.50 3/101 0077\n".getBytes());
        assertEquals(a.template(), b.template(), "0.05 and 0.25 share a template");
        assertEquals("0.05 0.15 1.00 1/100 0022\n", new String(a.template().render(a.values())));
        assertEquals(2, a.template().width(1), "the fraction of 0.05 is two digits wide");
        assertEquals(4, a.template().width(8), "0022 keeps its zeros");
    }

    @Test
    void digitRunsTooLongForALongStayLiteral() {
        String stat = "1 (a) S 0 1 18446744073709551615 7\n";
        Template.Split s = Template.split(stat.getBytes());
        assertEquals(stat, new String(s.template().render(s.values())));
        assertTrue(new String(s.template().literal(3)).contains("18446744073709551615"), "20 digits stay in the text");
        assertNotEquals(Template.split("1 (a) S 0 1 5 7\n".getBytes()).template(), s.template());
    }
}
