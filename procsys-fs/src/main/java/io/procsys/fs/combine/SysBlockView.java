package io.procsys.fs.combine;

import io.procsys.fs.identity.InterfaceNames;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The remote disks a {@code /sys/block} must show beside this host's for iostat to report them:
 * iostat -d lists a diskstats row only if {@code /sys/block/NAME} exists (sysstat's is_device),
 * and the combined diskstats names remote disks {@code h<i>-sda} ({@link InterfaceNames}). Pure:
 * combined diskstats in, each remote disk's {@code /sys/block/NAME/stat} out.
 * <ul>
 *   <li>Every row whose name has a host prefix ({@code h<digits>-}) and is not this host's.</li>
 *   <li>Partitions are left out, as /sys/block has only whole devices: a name is a partition when
 *       another remote name of the same host is its start and the rest is {@code p?<digits>}
 *       ({@code h1-sda1} of {@code h1-sda}, {@code h1-nvme0n1p2} of {@code h1-nvme0n1}).</li>
 *   <li>At most {@link #MAX_DEVICES}, in diskstats order.</li>
 *   <li>{@code stat} holds the row's counters (diskstats fields 4 on: the same 11, 15 or 17
 *       numbers in the same order), which iostat reads there rather than in /proc/diskstats.
 *       The mount makes it at each open ({@code SysViews}), so iostat's interval reports move.</li>
 * </ul>
 */
public final class SysBlockView {
    public static final int MAX_DEVICES = 4096;
    private static final Pattern REMOTE = Pattern.compile("h[0-9]+-.+");
    private static final Pattern PARTITION_SUFFIX = Pattern.compile("p?[0-9]+");

    private SysBlockView() {}

    /** Remote whole disks, name → content of their {@code stat}, in diskstats order. */
    public static SequencedMap<String, String> remoteDevices(String combinedDiskstats, Set<String> hostDevices) {
        SequencedMap<String, String> rows = new LinkedHashMap<>();
        for (String line : Text.lines(combinedDiskstats)) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 4 && REMOTE.matcher(fields[2]).matches() && !hostDevices.contains(fields[2])) {
                rows.putIfAbsent(fields[2], String.join(" ", List.of(fields).subList(3, fields.length)) + "\n");
            }
        }
        SequencedMap<String, String> devices = new LinkedHashMap<>();
        for (var row : rows.entrySet()) {
            if (!isPartition(row.getKey(), rows.keySet()) && devices.size() < MAX_DEVICES) devices.put(row.getKey(), row.getValue());
        }
        return devices;
    }

    private static boolean isPartition(String name, Set<String> names) {
        for (int end = name.indexOf('-') + 2; end < name.length(); end++) {
            if (names.contains(name.substring(0, end)) && PARTITION_SUFFIX.matcher(name.substring(end)).matches()) return true;
        }
        return false;
    }
}
