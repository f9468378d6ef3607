package io.procsys.fs.identity;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidCodecTest {
    @Test
    void roundTripsAndNeverCollides() {
        Random random = new Random(42);
        Map<Integer, String> inputOf = new HashMap<>();
        for (int index = 0; index <= 255; index++) {
            for (int pid : new int[] {0, 1, 2, (1 << 22) - 1, random.nextInt(1 << 22), random.nextInt(1 << 22)}) {
                int global = PidCodec.encode(index, pid);
                assertEquals(index, PidCodec.hostIndex(global));
                assertEquals(pid, PidCodec.localPid(global));
                assertTrue(global >= 0 && global < (1 << 30), "below 2^30: " + global);
                assertTrue(index == 0 ? global == pid : global >= (1 << 22), "never a local pid");
                String input = index + "/" + pid;
                String before = inputOf.putIfAbsent(global, input);
                assertTrue(before == null || before.equals(input), input + " and " + before + " both give " + global);
            }
        }
        assertEquals(4194304 + 26231, PidCodec.encode(1, 26231));
        assertEquals(255 * 4194304 + 1, PidCodec.encode(255, 1));
    }

    @Test
    void rejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> PidCodec.encode(0, 1 << 22));
        assertThrows(IllegalArgumentException.class, () -> PidCodec.encode(1, -1));
        assertThrows(IllegalArgumentException.class, () -> PidCodec.encode(256, 1));
        assertThrows(IllegalArgumentException.class, () -> PidCodec.encode(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> PidCodec.hostIndex(1 << 30));
        assertThrows(IllegalArgumentException.class, () -> PidCodec.localPid(-1));
    }
}
