package io.procsys.cli;

import io.procsys.daemon.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Set;

/**
 * The command line. This annotation is the whole model (--help, the man pages, the completion,
 * HelpTest); a run that names one command builds only that one ({@link Lean}): picocli builds a
 * command's model by reflection in the interpreter, and building all of them cost most of a short
 * command's start-up (docs/benchmarks/history.md "CLI start-up").
 */
@Command(name = "procsys", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {MountCommand.class, UmountCommand.class, ExecCommand.class, AgentCommand.class, CertsCommand.class, StatusCommand.class, KillCommand.class, WhichCommand.class, NodeCommand.class, DemoCommand.class, SeekCommand.class, PauseCommand.class, ResumeCommand.class, CommandLine.HelpCommand.class},
        description = {"The /proc of Linux machines served as a FUSE filesystem.", ""},
        footer = {"", "Run 'procsys help COMMAND' for a command's options."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line; returns the exit status. */
    public static int execute(String... args) {
        if (onlyVersion(args)) {
            // what picocli would print (plain lines), without building a model: annotations are
            // read through proxy classes the JVM generates at run time, the slowest part left
            for (String line : new Version().getVersion()) System.out.println(line);
            return 0;
        }
        Logging.configure();
        StatusCommand status = StatusCommand.ofPlainArguments(args);
        if (status != null) return runWithoutModel(status);
        Class<?> command = commandNamed(args);
        // --peers-dns looks its name up again on every refresh: DNS decides, not a JVM cache.
        // Set before anything resolves a name; the commands that never do skip it.
        if (command == null || !NO_NAME_LOOKUPS.contains(command.getSimpleName())) {
            io.procsys.fs.cluster.DnsPeers.askDnsEveryTime();
        }
        CommandLine cli;
        if (command != null) {
            cli = new CommandLine(new Lean());
            cli.addSubcommand(args[0], command); // commandNamed matched the name
        } else {
            cli = new CommandLine(new Main()); // help, no command, a mistake: the whole model
        }
        cli.setExecutionExceptionHandler(Main::handleFailure);
        // kill -STOP PID, kill -9 PID: the signal as kill(1) takes it, an option picocli does not know
        CommandLine kill = cli.getSubcommands().get("kill");
        if (kill != null) kill.setUnmatchedOptionsArePositionalParams(true);
        cli.setParameterExceptionHandler(Main::handleBadArguments);
        return cli.execute(args);
    }

    /** Commands that resolve no host name (the JVM's DNS cache setting is then not needed). */
    private static final Set<String> NO_NAME_LOOKUPS = Set.of("StatusCommand", "UmountCommand", "CertsCommand", "KillCommand", "WhichCommand",
            "SeekCommand", "PauseCommand", "ResumeCommand");

    /**
     * The command class the first argument names, or null. A switch, not a walk over the
     * annotation's classes: reading their annotations cost about 20 ms of a start. HelpTest
     * checks that it knows every command of the annotation.
     */
    static Class<?> commandNamed(String... args) {
        if (args.length == 0) return null;
        return switch (args[0]) {
            case "mount" -> MountCommand.class;
            case "umount" -> UmountCommand.class;
            case "exec" -> ExecCommand.class;
            case "agent" -> AgentCommand.class;
            case "certs" -> CertsCommand.class;
            case "status" -> StatusCommand.class;
            case "kill" -> KillCommand.class;
            case "which" -> WhichCommand.class;
            case "node" -> NodeCommand.class;
            case "demo" -> DemoCommand.class;
            case "seek" -> SeekCommand.class;
            case "pause" -> PauseCommand.class;
            case "resume" -> ResumeCommand.class;
            default -> null;
        };
    }

    private static boolean onlyVersion(String... args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /**
     * The root alone: what `procsys COMMAND ...` needs of it (not a subclass: picocli would
     * inherit Main's subcommands).
     */
    @Command(name = "procsys", mixinStandardHelpOptions = true, versionProvider = Main.Version.class)
    static final class Lean implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
        }
    }

    private static int handleBadArguments(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("procsys: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        return 2;
    }

    /** A command whose arguments were taken without picocli: failures as picocli's run would report them. */
    private static int runWithoutModel(java.util.concurrent.Callable<Integer> command) {
        try {
            return command.call();
        } catch (Exception e) {
            return reportFailure(e);
        }
    }

    /** {@link #reportFailure(Exception, PrintWriter)} on this process's stderr, for a run without picocli. */
    static int reportFailure(Exception e) {
        PrintWriter err = new PrintWriter(System.err, true);
        int status = reportFailure(e, err);
        err.flush();
        return status;
    }

    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        return reportFailure(e, cli.getErr());
    }

    /** What the user is told of a command's failure (one line for a mistake), and the exit status. */
    static int reportFailure(Exception e, PrintWriter err) {
        if (e instanceof UserError user) {
            err.println("procsys: " + user.getMessage());
            return user.exitCode();
        }
        err.println("procsys: internal error: " + e);
        if (System.getenv("PROCSYS_DEBUG") != null) e.printStackTrace(err);
        else err.println("procsys: set PROCSYS_DEBUG=1 for the stack trace");
        return 70;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            String fuse;
            try {
                io.procsys.fuse.Fuse.requireLibrary();
                fuse = io.procsys.fuse.Fuse.libraryVersion();
            } catch (io.procsys.fuse.FuseException e) {
                fuse = "not installed";
            }
            return new String[]{"procsys " + (version == null ? "dev" : version),
                    "Java " + Runtime.version() + ", libfuse " + fuse};
        }
    }
}
