package io.procsys.posix;

/** Linux errno values used by procsys (x86_64 and aarch64 share these numbers). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int ESTALE = 116;
    public static final int EPROTO = 71;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EMFILE = 24;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int EROFS = 30;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int ENOTSUP = 95;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int EHOSTUNREACH = 113;

    private Errno() {}

    /** strerror's text for the errnos acting on processes gives, with the symbolic name: "No such process (ESRCH)". */
    public static String describe(int errno) {
        String text = switch (errno) {
            case EPERM -> "Operation not permitted";
            case ESRCH -> "No such process";
            case EINVAL -> "Invalid argument";
            case EACCES -> "Permission denied";
            case EIO -> "Input/output error";
            case ENOSYS -> "Function not implemented";
            case EPROTO -> "Protocol error";
            case EAGAIN -> "Resource temporarily unavailable";
            case ETIMEDOUT -> "Connection timed out";
            case EHOSTUNREACH -> "No route to host";
            case ENOTCONN -> "Transport endpoint is not connected";
            default -> null;
        };
        return text == null ? name(errno) : text + " (" + name(errno) + ")";
    }

    /** The symbolic name of an errno value, for log lines and error messages. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case ESTALE -> "ESTALE";
            case EPROTO -> "EPROTO";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENOTDIR -> "ENOTDIR";
            case EISDIR -> "EISDIR";
            case EMFILE -> "EMFILE";
            case EINVAL -> "EINVAL";
            case EFBIG -> "EFBIG";
            case EROFS -> "EROFS";
            case ERANGE -> "ERANGE";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOSYS -> "ENOSYS";
            case ELOOP -> "ELOOP";
            case ENODATA -> "ENODATA";
            case ENOTSUP -> "ENOTSUP";
            case ENOTCONN -> "ENOTCONN";
            case ETIMEDOUT -> "ETIMEDOUT";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            default -> "errno " + errno;
        };
    }
}
