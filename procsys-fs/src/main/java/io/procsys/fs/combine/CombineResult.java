package io.procsys.fs.combine;

import java.util.List;

/**
 * A combined file and what the combination had to leave out or decide.
 *
 * @param text    the combined file (ISO-8859-1, see {@link HostPart})
 * @param dropped the parts that were left out, and why
 * @param notes   choices worth logging that lost no part, e.g. a constant that differs between
 *                hosts ({@code Hugepagesize}) and of which the first host's value was kept
 */
public record CombineResult(String text, List<Dropped> dropped, List<String> notes) {
    public CombineResult {
        dropped = List.copyOf(dropped);
        notes = List.copyOf(notes);
    }

    /** A part that was left out of the combination. */
    public record Dropped(String host, int index, String reason) {
    }
}
