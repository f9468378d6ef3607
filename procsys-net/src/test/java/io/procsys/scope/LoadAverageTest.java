package io.procsys.scope;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadAverageTest {
    @Test
    void seededThenDecayingAsTheKernels() {
        LoadAverage load = new LoadAverage();
        assertNull(load.loads());
        load.sample(2);
        assertArrayEquals(new double[]{2, 2, 2}, load.loads(), "the first count, not 0");
        for (int i = 0; i < 12; i++) load.sample(0); // one minute idle
        double[] after = load.loads();
        assertEquals(2 * Math.exp(-1), after[0], 1e-9, "the 1-minute load falls by e in a minute");
        assertTrue(after[0] < after[1] && after[1] < after[2]);
    }
}
