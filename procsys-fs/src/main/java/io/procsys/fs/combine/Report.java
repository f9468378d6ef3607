package io.procsys.fs.combine;

import java.util.ArrayList;
import java.util.List;

/** Collects, during one combination, the parts dropped and the notes. */
final class Report {
    private final List<CombineResult.Dropped> dropped = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void drop(HostPart part, String reason) {
        dropped.add(new CombineResult.Dropped(part.host(), part.index(), reason));
    }

    void note(String note) {
        notes.add(note);
    }

    CombineResult result(String text) {
        return new CombineResult(text, dropped, notes);
    }
}
