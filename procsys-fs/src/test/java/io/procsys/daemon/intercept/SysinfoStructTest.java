package io.procsys.daemon.intercept;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SysinfoStructTest {
    static final String MEMINFO = """
            MemTotal:       16000000 kB
            MemFree:         4000000 kB
            MemAvailable:    9000000 kB
            Buffers:          300000 kB
            Cached:          2000000 kB
            Shmem:            120000 kB
            SwapTotal:       8000000 kB
            SwapFree:        7000000 kB
            Hugepagesize:       2048 kB
            """;

    @Test
    void everyFieldAsTheKernelFillsIt() {
        ByteBuffer s = ByteBuffer.wrap(SysinfoStruct.encode(MEMINFO, "1.50 0.25 3.00 7/70123 4194400\n", "12345.01 99999.00\n"))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(112, s.capacity());
        assertEquals(12346, s.getLong(0), "uptime rounded up");
        assertEquals(98304, s.getLong(8), "1.50 << 16");
        assertEquals(16384, s.getLong(16));
        assertEquals(196608, s.getLong(24));
        assertEquals(16000000L * 1024, s.getLong(32));
        assertEquals(4000000L * 1024, s.getLong(40));
        assertEquals(120000L * 1024, s.getLong(48));
        assertEquals(300000L * 1024, s.getLong(56));
        assertEquals(8000000L * 1024, s.getLong(64));
        assertEquals(7000000L * 1024, s.getLong(72));
        assertEquals(65535, Short.toUnsignedInt(s.getShort(80)), "procs capped");
        assertEquals(0, s.getLong(88));
        assertEquals(0, s.getLong(96));
        assertEquals(1, s.getInt(104), "mem_unit: bytes, as a 64-bit kernel");
    }

    @Test
    void procsIsTheThreadTotal() {
        ByteBuffer s = ByteBuffer.wrap(SysinfoStruct.encode(MEMINFO, "0.00 0.00 0.00 1/345 99\n", "5.00 1.00\n")).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(345, s.getShort(80));
        assertEquals(5, s.getLong(0));
    }

    @Test
    void aMissingAmountIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> SysinfoStruct.encode("MemFree: 1 kB\n", "0.00 0.00 0.00 1/1 1", "1.00 1.00"));
        assertThrows(IllegalArgumentException.class, () -> SysinfoStruct.encode(MEMINFO, "garbage", "1.00 1.00"));
    }
}
