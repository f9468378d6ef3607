package io.procsys.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.procsys.daemon.UserError;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The cluster part of a mount as a YAML file (--config); options on the command line win.
 * <pre>
 * name: node-a
 * deadlineMs: 500
 * actionDeadlineMs: 5000
 * cacheMs: 0
 * tableMs: 2000
 * staleMs: 2000                       # a host that misses a round is served from its last answer this long (default: 4 deadlines)
 * maxBelowWaitMs: 20000               # the most a tree node's announced wait is honoured
 * peersDns: procsys-agents.procsys.svc.cluster.local:7070   # optional: peers from DNS
 * scope: [web.service]                # optional: one service across the hosts (docs/scope.md)
 * dnsRefreshSeconds: 30
 * metricsListen: 127.0.0.1:9464       # optional: Prometheus metrics at http://127.0.0.1:9464/metrics
 * tls: {cert: /etc/procsys/certs/node-a.pem, key: /etc/procsys/certs/node-a-key.pem, ca: /etc/procsys/certs/ca.pem}
 * peers:
 *   - {name: node-b, address: "10.0.0.2:7070"}
 *   - {name: rack-1, address: "10.0.1.1:7070", node: true}   # a tree node: its announced wait is honoured
 * </pre>
 */
record ClusterConfig(String name, Long deadlineMs, Long actionDeadlineMs, Long cacheMs, Long tableMs, Long staleMs, Long maxBelowWaitMs,
                     String peersDns, Long dnsRefreshSeconds, TlsFiles tls, List<PeerEntry> peers, String metricsListen, List<String> scope) {
    record TlsFiles(Path cert, Path key, Path ca, Boolean insecure) {}

    record PeerEntry(String name, String address, Boolean node) {}

    static ClusterConfig load(Path file) {
        try {
            ClusterConfig config = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), ClusterConfig.class);
            if (config == null) throw new UserError("config " + file + " is empty");
            return config;
        } catch (JacksonException e) {
            throw new UserError("config " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        } catch (IOException e) {
            throw new UserError("cannot read config " + file + ": " + e.getMessage());
        }
    }
}
