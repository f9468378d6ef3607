package io.procsys.daemon.intercept;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * struct sysinfo (x86_64, 112 bytes) from a mount's combined files, as the kernel fills it:
 * uptime (long) at 0, loads[3] at 8, totalram 32, freeram 40, sharedram 48, bufferram 56,
 * totalswap 64, freeswap 72, procs (unsigned short) 80, totalhigh 88, freehigh 96, mem_unit
 * (unsigned int) 104.
 * <ul>
 *   <li>memory from meminfo (MemTotal, MemFree, Shmem, Buffers, SwapTotal, SwapFree; kB) in
 *       bytes with mem_unit 1, as a 64-bit kernel reports it;</li>
 *   <li>loads from loadavg × 65536 (SI_LOAD_SHIFT 16);</li>
 *   <li>procs: loadavg's total of scheduling entities (the kernel's nr_threads, which is what
 *       it puts there), capped at 65535;</li>
 *   <li>uptime: the combined uptime's first number (the oldest boot), rounded up to a second as
 *       the kernel does; high memory is 0.</li>
 * </ul>
 */
public final class SysinfoStruct {
    public static final int SIZE = 112;

    private SysinfoStruct() {}

    /** The struct's bytes; {@link IllegalArgumentException} on a file it cannot read. */
    public static byte[] encode(String meminfo, String loadavg, String uptime) {
        Map<String, Long> kb = meminfoKb(meminfo);
        String[] load = loadavg.strip().split("\\s+");
        String[] up = uptime.strip().split("\\s+");
        if (load.length < 4 || !load[3].contains("/") || up.length < 1) {
            throw new IllegalArgumentException("unreadable loadavg or uptime: " + loadavg.strip() + " / " + uptime.strip());
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, (long) Math.ceil(Double.parseDouble(up[0])));
        for (int i = 0; i < 3; i++) b.putLong(8 + 8 * i, Math.round(Double.parseDouble(load[i]) * 65536));
        b.putLong(32, bytes(kb, "MemTotal"));
        b.putLong(40, bytes(kb, "MemFree"));
        b.putLong(48, bytes(kb, "Shmem"));
        b.putLong(56, bytes(kb, "Buffers"));
        b.putLong(64, bytes(kb, "SwapTotal"));
        b.putLong(72, bytes(kb, "SwapFree"));
        long threads = Long.parseLong(load[3].substring(load[3].indexOf('/') + 1));
        b.putShort(80, (short) Math.min(threads, 0xffff));
        b.putInt(104, 1);
        return b.array();
    }

    private static long bytes(Map<String, Long> kb, String key) {
        Long value = kb.get(key);
        if (value == null) {
            if (key.equals("Shmem") || key.equals("Buffers")) return 0;
            throw new IllegalArgumentException("meminfo has no " + key);
        }
        return value * 1024;
    }

    private static Map<String, Long> meminfoKb(String meminfo) {
        Map<String, Long> values = new HashMap<>();
        for (String line : meminfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String[] value = line.substring(colon + 1).strip().split("\\s+");
            try {
                values.put(line.substring(0, colon), Long.parseLong(value[0]));
            } catch (NumberFormatException e) {
                // a line sysinfo does not use
            }
        }
        return values;
    }
}
