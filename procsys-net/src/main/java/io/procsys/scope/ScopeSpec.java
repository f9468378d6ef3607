package io.procsys.scope;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code --scope SPEC} as the user wrote it (docs/scope.md): a cgroup path, a systemd unit
 * name, a v1 controller's path, kubelet pods by namespace and name glob (and container), or pods
 * by UID. Parsing checks the form only; each host resolves a spec against its own cgroups
 * ({@link ScopeResolver}).
 */
public sealed interface ScopeSpec {
    /** Longest spec accepted (bytes of UTF-8); what the wire carries is bounded again. */
    int MAX_BYTES = 512;
    /** Most specs in one scope (a union). */
    int MAX_SPECS = 16;

    /** The spec as written: how a scope is named in logs, status and on the wire. */
    String text();

    /** {@code /system.slice/web.service}: that cgroup (and below) in the membership hierarchy. */
    record CgroupPath(String text, String path) implements ScopeSpec {}

    /** {@code web.service}: the cgroup of that systemd unit wherever its slice puts it. */
    record Unit(String text, String name) implements ScopeSpec {}

    /** {@code memory:/batch/job42}: that cgroup of one v1 controller's hierarchy (hosts without systemd). */
    record ControllerPath(String text, String controller, String path) implements ScopeSpec {}

    /** {@code k8s=shop/web-*:app}: pods of a namespace whose names match a glob, or one container of each. */
    record Pods(String text, String namespace, String podGlob, String container) implements ScopeSpec {
        /** Whether pod {@code name} matches the glob ({@code *} any run, {@code ?} one character). */
        public boolean matches(String name) {
            return Pattern.matches(globRegex(podGlob), name);
        }
    }

    /** {@code k8s-pod=UID,UID}: pods by UID. */
    record PodUids(String text, List<String> uids) implements ScopeSpec {}

    Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.\\\\@-]+\\.(service|scope|slice|socket|mount|swap)");
    Pattern CONTROLLER = Pattern.compile("(name=)?[a-z_][a-z0-9_]*");
    /** A Kubernetes name: a DNS-1123 label (namespaces, container names). */
    Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    Pattern POD_GLOB = Pattern.compile("[a-z0-9.*?-]{1,253}");
    Pattern UID = Pattern.compile("[0-9a-fA-F][0-9a-fA-F-]{7,63}");

    /** The spec {@code text}; IllegalArgumentException with a one-line reason when it is malformed. */
    static ScopeSpec parse(String text) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("an empty --scope");
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) throw new IllegalArgumentException("--scope longer than " + MAX_BYTES + " bytes");
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < 0x20 || text.charAt(i) == 0x7f) throw new IllegalArgumentException("--scope '" + printable(text) + "' has a control character");
        }
        if (text.startsWith("k8s=")) return pods(text, text.substring(4));
        if (text.startsWith("k8s-pod=")) return podUids(text, text.substring(8));
        if (text.startsWith("/")) return new CgroupPath(text, cgroupPath(text, text));
        int colon = text.indexOf(":/");
        if (colon > 0) {
            String controller = text.substring(0, colon);
            if (!CONTROLLER.matcher(controller).matches()) throw new IllegalArgumentException("--scope '" + text + "': '" + controller + "' is no cgroup controller");
            return new ControllerPath(text, controller, cgroupPath(text, text.substring(colon + 1)));
        }
        if (UNIT.matcher(text).matches()) return new Unit(text, text);
        throw new IllegalArgumentException("--scope '" + text + "' is none of: /CGROUP/PATH, UNIT.service (or .scope, .slice), "
                + "CONTROLLER:/PATH, k8s=NAMESPACE/POD-GLOB[:CONTAINER], k8s-pod=UID[,UID...]");
    }

    /** Every spec of {@code texts}, checked; at most {@link #MAX_SPECS}. */
    static List<ScopeSpec> parseAll(List<String> texts) {
        if (texts.size() > MAX_SPECS) throw new IllegalArgumentException(texts.size() + " --scope options: at most " + MAX_SPECS);
        List<ScopeSpec> specs = new ArrayList<>();
        for (String t : texts) {
            ScopeSpec s = parse(t);
            if (specs.stream().noneMatch(old -> old.text().equals(s.text()))) specs.add(s);
        }
        return specs;
    }

    /** An absolute cgroup path of plain components (no "." or "..", no empty component but the root "/"). */
    private static String cgroupPath(String text, String path) {
        if (path.equals("/")) return path;
        if (path.endsWith("/") || path.contains("//")) throw new IllegalArgumentException("--scope '" + text + "': write the cgroup path without a trailing or double '/'");
        for (String component : path.substring(1).split("/")) {
            if (component.equals(".") || component.equals("..")) throw new IllegalArgumentException("--scope '" + text + "': no '.' or '..' in a cgroup path");
        }
        return path;
    }

    private static Pods pods(String text, String rest) {
        int slash = rest.indexOf('/');
        if (slash <= 0) throw new IllegalArgumentException("--scope '" + text + "' is not k8s=NAMESPACE/POD-GLOB[:CONTAINER]");
        String namespace = rest.substring(0, slash);
        String glob = rest.substring(slash + 1);
        String container = null;
        int colon = glob.indexOf(':');
        if (colon >= 0) {
            container = glob.substring(colon + 1);
            glob = glob.substring(0, colon);
            if (!DNS_LABEL.matcher(container).matches()) throw new IllegalArgumentException("--scope '" + text + "': '" + container + "' is no container name");
        }
        if (!DNS_LABEL.matcher(namespace).matches()) throw new IllegalArgumentException("--scope '" + text + "': '" + namespace + "' is no namespace name");
        if (!POD_GLOB.matcher(glob).matches()) throw new IllegalArgumentException("--scope '" + text + "': '" + glob + "' is no pod name glob (a-z 0-9 . - * ?)");
        return new Pods(text, namespace, glob, container);
    }

    private static PodUids podUids(String text, String rest) {
        List<String> uids = new ArrayList<>();
        for (String uid : rest.split(",", -1)) {
            if (!UID.matcher(uid).matches()) throw new IllegalArgumentException("--scope '" + text + "': '" + uid + "' is no pod UID");
            uids.add(uid.toLowerCase(java.util.Locale.ROOT));
        }
        return new PodUids(text, List.copyOf(uids));
    }

    /** A glob of {@link #POD_GLOB}'s characters as a regular expression. */
    private static String globRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '.' -> re.append("\\.");
                default -> re.append(c);
            }
        }
        return re.toString();
    }

    private static String printable(String text) {
        return text.replaceAll("\\p{Cntrl}", "?");
    }
}
