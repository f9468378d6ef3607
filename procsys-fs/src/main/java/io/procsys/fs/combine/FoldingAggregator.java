package io.procsys.fs.combine;

import java.util.List;

/**
 * The shape of every aggregator: parse each part on its own, then fold the parsed parts into a
 * combination in host order, then render it. Any failure of {@link #parse} or {@link #add} drops
 * that one part, which is how the "never throws, drops the bad part" contract is kept in one place.
 *
 * @param <P> one parsed part
 * @param <C> the combination so far
 */
abstract class FoldingAggregator<P, C> implements Aggregator {

    /** Parses one part; throws (typically {@link MalformedPartException}) if it is unusable. */
    abstract P parse(HostPart part);

    /** The combination of no part. */
    abstract C empty();

    /**
     * The combination with one more part. It may throw (an overflowing sum): then {@code combined}
     * must be unchanged, because the fold goes on with it; mutate it only once nothing can fail.
     */
    abstract C add(C combined, HostPart part, P parsed, Report report);

    /** The file for a combination of at least one part. */
    abstract String render(C combined, Report report);

    @Override
    public final CombineResult combineWithReport(List<HostPart> parts) {
        Report report = new Report();
        C combined = empty();
        boolean any = false;
        for (HostPart part : parts) {
            if (part.text().length() > MAX_PART_CHARS) {
                report.drop(part, "larger than " + MAX_PART_CHARS + " chars");
                continue;
            }
            try {
                combined = add(combined, part, parse(part), report);
                any = true;
            } catch (ArithmeticException e) {
                report.drop(part, "a sum overflows a long");
            } catch (RuntimeException e) { // any parse failure is the part's fault, never the caller's
                report.drop(part, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        return report.result(any ? render(combined, report) : "");
    }
}
