package io.procsys.cli;

import io.procsys.daemon.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintWriter;

@Command(name = "procsys", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {MountCommand.class, UmountCommand.class, ExecCommand.class, AgentCommand.class, CertsCommand.class, StatusCommand.class, KillCommand.class, WhichCommand.class, NodeCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
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
        Logging.configure();
        // --peers-dns looks its name up again on every refresh: DNS decides, not a JVM cache
        io.procsys.fs.cluster.DnsPeers.askDnsEveryTime();
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleFailure);
        // kill -STOP PID, kill -9 PID: the signal as kill(1) takes it, an option picocli does not know
        cli.getSubcommands().get("kill").setUnmatchedOptionsArePositionalParams(true);
        cli.setParameterExceptionHandler(Main::handleBadArguments);
        return cli.execute(args);
    }

    private static int handleBadArguments(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("procsys: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        return 2;
    }

    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof UserError user) {
            cli.getErr().println("procsys: " + user.getMessage());
            return user.exitCode();
        }
        cli.getErr().println("procsys: internal error: " + e);
        if (System.getenv("PROCSYS_DEBUG") != null) e.printStackTrace(cli.getErr());
        else cli.getErr().println("procsys: set PROCSYS_DEBUG=1 for the stack trace");
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
