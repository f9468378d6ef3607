package io.procsys.fs.combine;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A malicious or broken peer sends any bytes as its copy of a combined file: the aggregator never
 * throws, keeps the good hosts' parts, and its output stays bounded by its input. The fuzzer
 * edits a real fixture (so it reaches past the first line) or sends raw bytes. Run as a test it
 * replays the kept inputs; {@code scripts/fuzz.sh} fuzzes it (JAZZER_FUZZ=1).
 */
class AggregatorFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void hostilePartIsDroppedOrCombined(FuzzedDataProvider data) {
        String path = data.pickValue(Aggregators.paths());
        HostPart good = Hosts.part(0, "local-a", path);
        String hostile = data.consumeBoolean() ? edited(good.text(), data) : latin1(data.consumeRemainingAsBytes());
        List<HostPart> parts = List.of(good, new HostPart("hostile", 1 + (good.text().length() % 255), hostile), Hosts.part(2, "local-b", path));

        CombineResult result = Aggregators.forPath(path).orElseThrow().combineWithReport(parts);

        assertFalse(result.text().isEmpty(), "the good hosts' parts survive");
        Hosts.assertBounded(result, parts);
        assertTrue(result.dropped().stream().allMatch(d -> d.host().equals("hostile")), "only the hostile part may be dropped");
    }

    /** The text with a few fuzzer-chosen spans replaced by fuzzer bytes. */
    private static String edited(String text, FuzzedDataProvider data) {
        StringBuilder s = new StringBuilder(text);
        int edits = data.consumeInt(1, 8);
        for (int i = 0; i < edits && !s.isEmpty(); i++) {
            int at = data.consumeInt(0, s.length() - 1);
            int cut = data.consumeInt(0, Math.min(32, s.length() - at));
            s.replace(at, at + cut, latin1(data.consumeBytes(data.consumeInt(0, 32))));
        }
        return s.toString();
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
