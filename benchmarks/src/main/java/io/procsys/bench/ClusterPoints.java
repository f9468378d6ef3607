package io.procsys.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** The points of bench-results/cluster.json (written by cluster.sh), and lookups into them. */
record ClusterPoints(List<JsonNode> points) {
    static ClusterPoints read(String file) throws IOException {
        List<JsonNode> points = new ArrayList<>();
        new ObjectMapper().readTree(new File(file)).forEach(points::add);
        return new ClusterPoints(points);
    }

    /** The point of one topology, host count, measure and (for reads) reader count. */
    Optional<JsonNode> find(String topology, int hosts, String measure, int readers) {
        return points.stream().filter(p -> p.path("topology").asText().equals(topology) && p.path("hosts").asInt() == hosts
                && p.path("measure").asText().equals(measure) && (!p.has("readers") || p.path("readers").asInt() == readers)).findFirst();
    }

    /** A number of that point, or NaN when the point or the field is missing. */
    double value(String topology, int hosts, String measure, int readers, String field) {
        return find(topology, hosts, measure, readers).map(p -> p.has(field) ? p.get(field).asDouble() : Double.NaN).orElse(Double.NaN);
    }

    TreeSet<Integer> hostCounts() {
        TreeSet<Integer> counts = new TreeSet<>();
        points.forEach(p -> counts.add(p.path("hosts").asInt()));
        return counts;
    }
}
