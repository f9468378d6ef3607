package io.procsys.fs.history;

import io.procsys.history.Item;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A recorded file between two frames: counters move with the time, the rest is the frame before's. */
class RenderingTest {
    /** A process's stat with its state letter, utime and stime (fields 3, 14, 15), as a 50 % burner's reads. */
    static Item stat(char state, long utime, long stime) {
        return Item.file(("4242 (burn50) " + state + " 1 4242 4242 0 -1 4194304 2466 0 0 0 " + utime + " " + stime
                + " 0 0 20 0 1 0 123456 19546112 3400 18446744073709551615 1 1 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    static String[] fields(byte[] rendered) {
        return new String(rendered, StandardCharsets.US_ASCII).split(" ");
    }

    @Test
    void countersMoveBetweenTwoFramesOfOneTemplate() {
        String[] f = fields(Rendering.file(SlotRoles.Kind.PROCESS_STAT, stat('R', 100, 50), stat('R', 150, 76), 0.5, Rendering.Lens.OWN, 0));
        assertEquals("125", f[13]);
        assertEquals("63", f[14]);
    }

    /**
     * A burner is R in one frame and S in the next about half the time: its counters must still move
     * (before, they stood still for the interval and jumped at the next frame: pidstat rows of 0 %).
     */
    @Test
    void countersMoveWhenTheStateLetterChanges() {
        String[] f = fields(Rendering.file(SlotRoles.Kind.PROCESS_STAT, stat('R', 100, 50), stat('S', 150, 76), 0.5, Rendering.Lens.OWN, 0));
        assertEquals("R", f[2], "the state is the frame before's");
        assertEquals("125", f[13]);
        assertEquals("63", f[14]);
    }

    /** Another process under the same pid (another name: another template and other roles) is never interpolated towards. */
    @Test
    void anotherShapeIsNotInterpolatedTowards() {
        Item other = Item.file("4242 (x) S 1\n".getBytes(StandardCharsets.US_ASCII));
        String[] f = fields(Rendering.file(SlotRoles.Kind.PROCESS_STAT, stat('R', 100, 50), other, 0.5, Rendering.Lens.OWN, 0));
        assertEquals("100", f[13]);
    }
}
