package io.procsys.daemon.intercept;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the supervisor reads from a cluster mount to answer a call: a process's nice and CPU
 * affinity, a thread's process, and sysinfo. A missing process is {@link java.nio.file.NoSuchFileException}.
 */
public class MountView {
    private final Path mount;
    /** sysinfo from a combination at most a second old (one view serves every command of a mount). */
    private final SysinfoCache sysinfo = new SysinfoCache(this::combinedSysinfo, System::nanoTime);

    public MountView(Path mount) {
        this.mount = mount;
    }

    String read(String path) throws IOException {
        return Files.readString(mount.resolve(path), StandardCharsets.ISO_8859_1);
    }

    /** The nice value of a process: field 19 of its stat. */
    int nice(long pid) throws IOException {
        String stat = read(pid + "/stat");
        String[] after = stat.substring(stat.lastIndexOf(')') + 1).strip().split(" ");
        return Integer.parseInt(after[19 - 3]);
    }

    /** The process (Tgid) a thread id belongs to, or the id itself when the mount cannot say. */
    long processOf(long tid) {
        try {
            String tgid = field(read(tid + "/status"), "Tgid");
            return tgid == null ? tid : Long.parseLong(tgid);
        } catch (IOException | NumberFormatException e) {
            return tid;
        }
    }

    byte[] sysinfo() throws IOException {
        return sysinfo.get();
    }

    private byte[] combinedSysinfo() throws IOException {
        return SysinfoStruct.encode(read("meminfo"), read("loadavg"), read("uptime"));
    }

    /** The CPUs of the combined stat (cpu0..cpuN-1): the cluster's CPU count. */
    int clusterCpus() throws IOException {
        return cpuIds(read("stat")).size();
    }

    /**
     * The CPUs {@code pid} of host {@code host} may run on, in the cluster's numbering
     * (docs/aggregation.md, stat): a host's CPUs follow those of the hosts listed before it under
     * hosts/, in the order of its own stat's cpuN lines. The mount shows Cpus_allowed_list in the
     * host's own numbering.
     */
    BitSet affinity(long pid, String host) throws IOException {
        String allowed = field(read(pid + "/status"), "Cpus_allowed_list");
        if (allowed == null) throw new IOException("no Cpus_allowed_list for " + pid);
        List<String> hosts = hostNames();
        int index = hosts.indexOf(host);
        if (index < 0) throw new IOException("no host " + host + " under hosts/");
        int offset = 0;
        for (int i = 0; i < index; i++) offset += cpuIds(read("hosts/" + hosts.get(i) + "/stat")).size();
        List<Integer> own = cpuIds(read("hosts/" + hosts.get(index) + "/stat"));
        BitSet hostAllowed = parseList(allowed);
        BitSet cluster = new BitSet();
        for (int k = 0; k < own.size(); k++) if (hostAllowed.get(own.get(k))) cluster.set(offset + k);
        return cluster;
    }

    /** Host names in the mount's order, which is index order (this host first). */
    List<String> hostNames() throws IOException {
        try (Stream<Path> entries = Files.list(mount.resolve("hosts"))) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    static List<Integer> cpuIds(String stat) {
        List<Integer> ids = new ArrayList<>();
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                ids.add(Integer.parseInt(line.substring(3, line.indexOf(' '))));
            }
        }
        return ids;
    }

    /** The most CPUs a kernel has (NR_CPUS is at most 8192): a list past it, from a host that lies, is refused. */
    static final int MAX_CPUS = 8192;

    /** A kernel CPU list ("0-3,6,8-9"); IOException for one that does not parse or names a CPU past {@link #MAX_CPUS}. */
    static BitSet parseList(String list) throws IOException {
        BitSet set = new BitSet();
        try {
            for (String part : list.strip().split(",")) {
                if (part.isEmpty()) continue;
                int dash = part.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
                if (from < 0 || to < from || to >= MAX_CPUS) throw new IOException("a CPU list out of bounds: " + part);
                set.set(from, to + 1);
            }
        } catch (NumberFormatException e) {
            throw new IOException("not a CPU list: " + list);
        }
        return set;
    }

    static String field(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] words = line.substring(key.length() + 1).strip().split("\\s+");
                return words.length == 0 ? null : words[0];
            }
        }
        return null;
    }
}
