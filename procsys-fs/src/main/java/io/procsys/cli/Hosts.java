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
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) throw new UserError("'" + text + "' is not HOST:PORT", 2);
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UserError("'" + text + "': the port is not a number", 2);
        }
        if (port < 0 || port > 65535) throw new UserError("'" + text + "': port out of range", 2);
        return new InetSocketAddress(host, port);
    }
}
