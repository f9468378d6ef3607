package io.procsys.cli;

import io.procsys.daemon.UserError;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Host names and addresses as users write them. */
final class Hosts {
    private Hosts() {}

    static String localName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** HOST:PORT (IPv6 as [addr]:port) → an unresolved-safe socket address; UserError when malformed. */
    static InetSocketAddress parseAddress(String text) {
        return parseAddress(text, null);
    }

    /** As {@link #parseAddress(String)}; {@code option} (e.g. "--metrics-listen", or null) names where the text came from in errors. */
    static InetSocketAddress parseAddress(String text, String option) {
        String what = option == null ? "'" + text + "'" : option + " '" + text + "'";
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) throw new UserError(what + " is not HOST:PORT", 2);
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UserError(what + ": the port is not a number", 2);
        }
        if (port < 0 || port > 65535) throw new UserError(what + ": port out of range", 2);
        return new InetSocketAddress(host, port);
    }
}
