package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Lines of a /proc file: every line ends with '\n', the last one included. */
final class Text {
    private Text() {
    }

    /** The lines without their '\n'; a missing final '\n' is tolerated. */
    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    static String join(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        return text.toString();
    }
}
