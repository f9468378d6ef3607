package io.procsys.fs.combine;

import java.util.Objects;

/**
 * One host's copy of a /proc file.
 *
 * @param host  the host's name, for reports only
 * @param index 0 for the local host, 1..255 for the remote hosts in the cluster's fixed order; it
 *              is what {@link PidCodec}, {@link SocketInodes} and {@link InterfaceNames} encode
 * @param text  the file's bytes decoded as ISO-8859-1, so that every byte is one char and
 *              encoding the result back the same way gives the bytes 1:1
 */
public record HostPart(String host, int index, String text) {
    public static final int MAX_INDEX = 255;

    public HostPart {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(text, "text");
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("host index " + index + " outside 0.." + MAX_INDEX);
        }
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
