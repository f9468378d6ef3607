package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static io.procsys.fs.combine.Hosts.fields;
import static io.procsys.fs.combine.Hosts.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks for tables: header once, then every host's rows with only the expected fields changed. */
final class Tables {
    private Tables() {
    }

    /**
     * Asserts that {@code combined} is the first part's {@code headerLines} header, then each
     * part's rows in order, each row's fields equal to {@code expectedFields(part, original
     * fields)} (which returns the fields as they should be after renaming/renumbering).
     */
    static void assertRows(String combined, List<HostPart> parts, int headerLines,
                           BiFunction<HostPart, List<String>, List<String>> expectedFields) {
        List<String> out = lines(combined);
        assertEquals(lines(parts.getFirst().text()).subList(0, headerLines), out.subList(0, headerLines), "the header once");
        List<List<String>> expected = new ArrayList<>();
        for (HostPart part : parts) {
            for (String row : lines(part.text()).subList(headerLines, lines(part.text()).size())) {
                expected.add(expectedFields.apply(part, new ArrayList<>(fields(row))));
            }
        }
        List<List<String>> actual = out.subList(headerLines, out.size()).stream().map(Hosts::fields).toList();
        assertEquals(expected, actual);
    }

    /** {@code fields} with field {@code i} replaced. */
    static List<String> replaced(List<String> fields, int i, String value) {
        fields.set(i, value);
        return fields;
    }
}
