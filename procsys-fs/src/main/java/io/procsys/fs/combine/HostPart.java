package io.procsys.fs.combine;

import io.procsys.fs.identity.HostIndex;
import io.procsys.fs.identity.InterfaceNames;
import io.procsys.fs.identity.SocketInodes;

import java.util.Objects;

/**
 * One host's copy of a /proc file.
 *
 * @param host  the host's name, for reports only
 * @param index the host's {@link HostIndex}; it
 *              is what {@link SocketInodes} and {@link InterfaceNames} encode
 * @param text  the file's bytes decoded as ISO-8859-1, so that every byte is one char and
 *              encoding the result back the same way gives the bytes 1:1
 */
public record HostPart(String host, int index, String text) {
    public HostPart {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(text, "text");
        HostIndex.checked(index);
    }

    public boolean isLocal() {
        return index == 0;
    }

    @Override
    public String toString() {
        // the text can be megabytes: keep it out of logs and assertion messages
        return "HostPart[" + host + " #" + index + ", " + text.length() + " chars]";
    }
}
