package io.procsys.cli;

/** One-line log records on stderr (java.util.logging behind System.Logger). */
final class Logging {
    private Logging() {}

    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
    }
}
