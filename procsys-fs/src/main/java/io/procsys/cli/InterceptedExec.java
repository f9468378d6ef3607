package io.procsys.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * `procsys exec --mount CLUSTER -- CMD` with its calls intercepted, as the launcher starts it:
 * the launcher has read the command line, checked the mount (a cluster view, as root, its stand-in
 * network pinned) and made the very argv {@link ExecCommand} makes; what needs Java is only the
 * seccomp filter, installed between fork and exec, and its supervisor. Started without picocli
 * and the rest of {@link Main}'s start-up, about 0.2 s of a JVM's (docs/benchmarks/history.md, "exec on a cluster
 * view"). Arguments: MOUNT ARGV...
 */
public final class InterceptedExec {
    private InterceptedExec() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        if (args.length < 2) {
            System.err.println("procsys: InterceptedExec is started by the procsys launcher (MOUNT ARGV...): use procsys exec");
            return 2;
        }
        Logging.configure();
        List<String> argv = Arrays.asList(args).subList(1, args.length);
        try {
            return ExecProcess.startAndWait(argv, Path.of(args[0]), true);
        } catch (InterruptedException e) {
            return 130;
        } catch (RuntimeException e) {
            return Main.reportFailure(e);
        }
    }
}
