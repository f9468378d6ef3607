package io.procsys.fs.combine;

import java.util.List;

/**
 * Combines one /proc file of several hosts into one file that keeps the file's meaning.
 *
 * <p>Contract: bad input never throws. A part that cannot be parsed (wrong field counts,
 * non-numbers, a sum that would overflow a {@code long}, garbage, more than
 * {@link #MAX_PART_CHARS} chars) is left out of the result and named in
 * {@link CombineResult#dropped()}; the other parts still combine. If no part is usable the text
 * is empty. Parts are combined in list order, which the caller keeps as the host index order.
 */
public interface Aggregator {
    /** Parts larger than this (4 MiB) are dropped unread: they bound the work of one combine. */
    int MAX_PART_CHARS = 4 << 20;

    CombineResult combineWithReport(List<HostPart> parts);

    default String combine(List<HostPart> parts) {
        return combineWithReport(parts).text();
    }
}
