package io.procsys.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** `procsys --help` lists each command by the first line of its description: it must be a whole sentence. */
class HelpTest {
    @Test
    void everyCommandsSummaryIsOneWholeSentence() {
        Map<String, CommandLine> commands = new CommandLine(new Main()).getSubcommands();
        assertTrue(commands.size() >= 8, commands.keySet().toString());
        for (var command : commands.entrySet()) {
            if (command.getKey().equals("help")) continue; // picocli's own
            String[] description = command.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0, command.getKey());
            String first = description[0].strip();
            assertTrue(first.endsWith(".") && Character.isUpperCase(first.charAt(0)),
                    command.getKey() + ": '" + first + "' is not a whole sentence");
        }
    }

    /**
     * Each description element is a paragraph picocli wraps at the terminal's width: one that
     * ends mid-sentence would be printed as a short line, the sentence broken in two.
     */
    @Test
    void everyDescriptionParagraphIsWhole() {
        for (var command : new CommandLine(new Main()).getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) continue;
            for (String paragraph : command.getValue().getCommandSpec().usageMessage().description()) {
                String text = paragraph.strip();
                assertTrue(text.isEmpty() || text.endsWith(".") || text.endsWith(":"),
                        command.getKey() + ": a paragraph ends mid-sentence: '" + text + "'");
            }
        }
    }

    /** A run names one command and builds only that one (Main.commandNamed): it must know them all. */
    @Test
    void theLeanPathKnowsEveryCommand() {
        for (var command : new CommandLine(new Main()).getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) continue;
            Class<?> type = command.getValue().getCommandSpec().userObject().getClass();
            org.junit.jupiter.api.Assertions.assertEquals(type, Main.commandNamed(command.getKey()), command.getKey());
        }
    }

    /** --version is answered without picocli (Main.execute): it must print what picocli would. */
    @Test
    void versionPrintsWhatPicocliWould() {
        var picocli = new java.io.StringWriter();
        new CommandLine(new Main()).printVersionHelp(new java.io.PrintWriter(picocli, true));
        java.io.PrintStream out = System.out;
        var printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            org.junit.jupiter.api.Assertions.assertEquals(0, Main.execute("--version"));
            org.junit.jupiter.api.Assertions.assertEquals(0, Main.execute("-V"));
        } finally {
            System.setOut(out);
        }
        org.junit.jupiter.api.Assertions.assertEquals(picocli.toString().repeat(2), printed.toString());
    }
}
