package io.procsys.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The arguments status takes without picocli mean what picocli makes of them; anything else is left to picocli. */
class StatusCommandTest {
    @Test
    void plainFormsAreReadAsPicocliReadsThem() {
        for (List<String> args : List.of(List.of("status", "/mnt/p"), List.of("status", "--json", "/mnt/p"),
                List.of("status", "/mnt/p", "--json"), List.of("status", "rel/p"))) {
            StatusCommand plain = StatusCommand.ofPlainArguments(args.toArray(String[]::new));
            assertNotNull(plain, args.toString());
            StatusCommand picocli = new StatusCommand();
            new CommandLine(picocli).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
            assertEquals(picocli.mountpoint, plain.mountpoint, args.toString());
            assertEquals(picocli.json, plain.json, args.toString());
        }
    }

    @Test
    void everythingElseGoesToPicocli() {
        for (String[] args : List.of(new String[]{"status"}, new String[]{"status", "--help"}, new String[]{"status", "-h"},
                new String[]{"status", "--json"}, new String[]{"status", "--json", "--json", "/m"}, new String[]{"status", "/a", "/b"},
                new String[]{"status", "@args.txt"}, new String[]{"status", "--", "/m"}, new String[]{"status", ""},
                new String[]{"status", "--jsonx", "/m"}, new String[]{"umount", "/m"}, new String[]{"status", "/m", "--json", "x"})) {
            assertNull(StatusCommand.ofPlainArguments(args), Arrays.toString(args));
        }
    }
}
