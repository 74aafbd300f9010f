package io.resnetstream.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps the secrets a URI may carry (its user info, its query and its fragment: presigned tokens, passwords) out of
 * everything that leaves the service: dead letters (message and payload), logs, exception messages. The path, scheme,
 * host and port stay: they say where an image was, and are not meant to be secret. A URI that hides a token in its
 * path is not protected.
 */
public final class UriRedaction {
    /** A redacted URI in a message is cut here. */
    static final int MAX_CHARS = 512;

    private static final String REDACTED = "[redacted]";
    private static final byte MASK = '*';

    private UriRedaction() {}

    /**
     * The URI with user info, query and fragment replaced by {@code [redacted]}, control characters escaped, cut
     * to {@value #MAX_CHARS} characters: the only form of an input URI that goes into a message or a log. Works on
     * text that is not a valid URI too (the whole text is taken as one URI).
     */
    public static String redact(String uri) {
        if (uri == null) {
            return "null";
        }
        boolean[] secret = new boolean[uri.length()];
        markUri(uri::charAt, 0, uri.length(), secret);
        return printable(replaceMarked(uri, secret));
    }

    /**
     * Free text (a library's exception message) with the secrets of every URI in it replaced by {@code [redacted]}.
     */
    public static String scrub(String text) {
        if (text == null) {
            return "null";
        }
        boolean[] secret = new boolean[text.length()];
        markRuns(text::charAt, text.length(), secret);
        return printable(replaceMarked(text, secret));
    }

    /**
     * A copy of {@code bytes} in which the user info, query and fragment of every URI-like run of printable bytes
     * is overwritten with {@code *}, byte for byte: lengths do not change, so an Avro record whose string held a
     * URI still decodes, its URI reading {@code https://host/path?*****}. For input that may hold URIs anywhere
     * (a value that did not decode as an event).
     */
    public static byte[] maskUris(byte[] bytes) {
        boolean[] secret = new boolean[bytes.length];
        markRuns(i -> (char) (bytes[i] & 0xFF), bytes.length, secret);
        return masked(bytes, secret);
    }

    /**
     * A copy of {@code bytes} in which each occurrence of {@code uri} (its UTF-8 bytes, as Avro writes a string) has
     * its user info, query and fragment overwritten with {@code *}, byte for byte; and any other URI-like run masked
     * as by {@link #maskUris}. For an event known to carry {@code uri}.
     */
    public static byte[] maskUri(byte[] bytes, String uri) {
        boolean[] secret = new boolean[bytes.length];
        markRuns(i -> (char) (bytes[i] & 0xFF), bytes.length, secret);
        byte[] needle = uri.getBytes(StandardCharsets.UTF_8);
        if (needle.length > 0) {
            for (int at = indexOf(bytes, needle, 0); at >= 0; at = indexOf(bytes, needle, at + 1)) {
                int start = at;
                markUri(i -> (char) (bytes[i] & 0xFF), start, start + needle.length, secret);
            }
        }
        return masked(bytes, secret);
    }

    @FunctionalInterface
    private interface CharAt {
        char at(int index);
    }

    /**
     * Marks the secret parts of the URI in {@code [from, to)}: user info (between {@code //} and the last {@code @}
     * of the authority) and everything from the first {@code ?} or {@code #}.
     */
    private static void markUri(CharAt s, int from, int to, boolean[] secret) {
        int authority = -1;
        for (int i = from; i + 2 < to; i++) {
            if (s.at(i) == ':' && s.at(i + 1) == '/' && s.at(i + 2) == '/') {
                authority = i + 3;
                break;
            }
            if (s.at(i) == '/' || s.at(i) == '?' || s.at(i) == '#') {
                break; // a path or query began before any "://"
            }
        }
        if (authority >= 0) {
            int end = authority;
            int lastAt = -1;
            while (end < to && s.at(end) != '/' && s.at(end) != '?' && s.at(end) != '#') {
                if (s.at(end) == '@') {
                    lastAt = end;
                }
                end++;
            }
            if (lastAt >= 0) {
                Arrays.fill(secret, authority, lastAt, true);
            }
        }
        for (int i = from; i < to; i++) {
            if (s.at(i) == '?' || s.at(i) == '#') {
                Arrays.fill(secret, i + 1, to, true);
                break;
            }
        }
    }

    /** Marks, in every run of URI characters that has a {@code :} in it, what {@link #markUri} would. */
    private static void markRuns(CharAt s, int length, boolean[] secret) {
        int i = 0;
        while (i < length) {
            if (!isUriChar(s.at(i))) {
                i++;
                continue;
            }
            int start = i;
            int colon = -1;
            while (i < length && isUriChar(s.at(i))) {
                if (colon < 0 && s.at(i) == ':') {
                    colon = i;
                }
                i++;
            }
            if (colon >= 0) {
                // the run may begin with bytes that are no part of the URI (an Avro length): start at the scheme
                int schemeStart = colon;
                while (schemeStart > start && isSchemeChar(s.at(schemeStart - 1))) {
                    schemeStart--;
                }
                markUri(s, schemeStart, i, secret);
            }
        }
    }

    /** Printable ASCII but space and the characters RFC 3986 never allows, and any non-ASCII (UTF-8) byte. */
    private static boolean isUriChar(char c) {
        if (c >= 0x80) {
            return c != 0xFFFD;
        }
        return c > 0x20 && c < 0x7F && "\"<>\\^`{|}".indexOf(c) < 0;
    }

    private static boolean isSchemeChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '+'
                || c == '-'
                || c == '.';
    }

    private static String replaceMarked(String text, boolean[] secret) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (!secret[i]) {
                out.append(text.charAt(i));
            } else if (i == 0 || !secret[i - 1]) {
                out.append(REDACTED);
            }
        }
        return out.toString();
    }

    /** Control characters escaped (no forged log lines), cut to {@value #MAX_CHARS} characters. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS + 16));
        for (int i = 0; i < text.length() && out.length() < MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= MAX_CHARS && text.length() > MAX_CHARS) {
            out.setLength(MAX_CHARS);
            out.append('…');
        }
        return out.toString();
    }

    private static byte[] masked(byte[] bytes, boolean[] secret) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < copy.length; i++) {
            if (secret[i]) {
                copy[i] = MASK;
            }
        }
        return copy;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
