package io.procsys.fs.combine;

/** How the values of one named figure of several hosts become one value. */
enum Rule {
    /** Counters and gauges of resources: the cluster has the sum. */
    SUM,
    /**
     * A setting or size that should be equal everywhere ({@code Hugepagesize}, {@code RtoMin}):
     * the first host's value is kept, and a difference is noted in the report.
     */
    SAME,
    /** A "largest of" figure ({@code VmallocChunk}, the largest free chunk): the largest value. */
    MAX
}
