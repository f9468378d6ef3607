package io.procsys.daemon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;

/**
 * The status socket's JSON, in a class of its own: Jackson databind is about 670 classes, and
 * `procsys status` against a daemon of this release asks for text and must not load them
 * (issue 19: status within 120 ms). Only the daemon, `--json` tooling and the fallback for a
 * daemon of the previous release reach this class.
 */
public final class StatusJson {
    /** Fields a newer daemon adds are ignored, so `procsys status` of one release reads the daemon of the next. */
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StatusJson() {}

    public static byte[] write(StatusEndpoint.Status status) throws IOException {
        return JSON.writeValueAsBytes(status);
    }

    public static StatusEndpoint.Status read(byte[] json) throws IOException {
        return JSON.readValue(json, StatusEndpoint.Status.class);
    }
}
