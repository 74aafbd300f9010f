package io.resnetstream.ingest;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which image URIs may be fetched, decided on the text alone (no DNS): the scheme must be listed ({@code file},
 * {@code http}, {@code https}, any case) and the URI must lie under one of the prefixes, e.g. {@code file:/data/images/}
 * or {@code https://images.example.com/}. A prefix names a directory: {@code https://h/a} admits
 * {@code https://h/a/x.jpg} (and {@code https://h/a} itself) but not {@code https://h/ab.jpg}. Where the host then
 * resolves to is {@link AddressRules}' to judge, at fetch time.
 *
 * <p>The path is judged as a server could read it, so none of these pass, whatever prefix they are under: a dot
 * segment ({@code .} or {@code ..}), raw or percent-encoded in any case ({@code %2e%2E}), or dots that only Unicode
 * normalisation makes ({@code %ef%bc%8e}); a {@code ;} (path parameters: {@code ..;/} escapes on Tomcat-style
 * servers); an encoded {@code /} or {@code \} ({@code %2f}, {@code %5c}); a percent sign that still encodes after
 * one decoding ({@code %252e}: double encoding); an empty segment ({@code //}); a NUL or control character; invalid
 * UTF-8 (overlong {@code %c0%ae}). None of these has a place in an image's address, so refusing them is simpler to
 * reason about than normalising them the way every possible server would.
 *
 * <p>The authority: no user info (it would be sent as credentials, and {@code https://allowed@evil/} misleads);
 * host names compared ignoring case and one trailing dot; a numeric host must be a plain dotted-quad
 * ({@code 2130706433}, {@code 0177.0.0.1}, {@code 0x7f.1}, {@code 127.1} are refused: resolvers disagree on what
 * they mean); an IPv6 literal must not carry a zone or be IPv4-mapped; {@code localhost} and the cloud metadata
 * names are refused by name; the port must be 1-65535 and equal the prefix's (default ports filled in). Queries
 * are allowed on http(s) (presigned URLs) and never on {@code file:}; a fragment is dropped (it is never sent).
 * The default, {@link #none()}, allows nothing.
 */
public record UriPolicy(Set<String> allowedSchemes, List<String> allowedPrefixes, List<String> allowedNetworks) {

    private static final Set<String> SUPPORTED_SCHEMES = Set.of("file", "http", "https");
    /** Hosts never fetched from, by name: they are the machine itself or a cloud's metadata service. */
    private static final Set<String> REFUSED_NAMES =
            Set.of("localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data");
    /** Looks like a number in some base: digits, dots, hex; such a host must be a canonical dotted quad. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]*))*");

    private static final Pattern CANONICAL_IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    public UriPolicy {
        allowedSchemes =
                allowedSchemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        allowedPrefixes = List.copyOf(allowedPrefixes);
        allowedNetworks = List.copyOf(allowedNetworks);
        for (String scheme : allowedSchemes) {
            if (!SUPPORTED_SCHEMES.contains(scheme)) {
                throw new IllegalArgumentException(
                        "unsupported URI scheme '" + scheme + "', expected file, http or https");
            }
        }
        for (String prefix : allowedPrefixes) {
            Target location;
            try {
                location = parse(prefix, false);
            } catch (Refused e) {
                throw new IllegalArgumentException("prefix '" + UriRedaction.redact(prefix) + "' is refused: "
                        + e.getMessage() + " (it must be an absolute file, http or https URI with a clean path)");
            }
            if (!allowedSchemes.contains(location.scheme()) || location.query() != null) {
                throw new IllegalArgumentException(
                        "prefix '" + UriRedaction.redact(prefix) + "' must use an allowed scheme and have no query");
            }
        }
        new AddressRules(allowedNetworks); // fails on a malformed network now rather than at the first fetch
    }

    public UriPolicy(Set<String> allowedSchemes, List<String> allowedPrefixes) {
        this(allowedSchemes, allowedPrefixes, List.of());
    }

    /** Allows nothing. */
    public static UriPolicy none() {
        return new UriPolicy(Set.of(), List.of());
    }

    /** Whether the URI passes the checks on its text (its host's addresses are judged when it is fetched). */
    public boolean allows(String uri) {
        try {
            target(uri);
            return true;
        } catch (Refused e) {
            return false;
        }
    }

    /** The rules for the addresses a host resolves to. */
    public AddressRules addressRules() {
        return new AddressRules(allowedNetworks);
    }

    /**
     * Where {@code uri} leads, if its text is allowed.
     *
     * @throws Refused why not, in words that quote no part of the URI
     */
    public Target target(String uri) throws Refused {
        Target target = parse(uri, true);
        if (!allowedSchemes.contains(target.scheme())) {
            throw new Refused("scheme " + target.scheme() + " is not allowed");
        }
        if (target.scheme().equals("file") && target.query() != null) {
            throw new Refused("a file URI has no query");
        }
        Optional<Target> prefix = prefixes()
                .filter(p -> target.isUnder(p))
                .max(Comparator.comparingInt(p -> p.segments().size()));
        if (prefix.isEmpty()) {
            throw new Refused("not under an allowed prefix");
        }
        Target under = target.under(prefix.get());
        if (under.scheme().equals("file")
                && under.segments().size() <= under.base().size()) {
            throw new Refused("names the allowed directory itself, not a file in it");
        }
        return under;
    }

    private java.util.stream.Stream<Target> prefixes() {
        return allowedPrefixes.stream().map(p -> {
            try {
                return parse(p, false);
            } catch (Refused e) {
                throw new IllegalStateException(e); // checked in the constructor
            }
        });
    }

    /** Why a URI is refused; the message never quotes the URI (it may hold a secret). */
    public static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * A URI that passed the checks on its text.
     *
     * @param host       lower case, no trailing dot, IPv6 without brackets; empty for {@code file:}
     * @param literal    the address when the host is an IP literal, else null (a name, resolved at fetch time)
     * @param segments   the decoded path segments
     * @param rawPath    the path as written (percent-encoded), sent as is
     * @param query      the raw query, or null
     * @param base       the segments of the allowed prefix it lies under (a file's root directory); empty until known
     */
    public record Target(
            String scheme,
            String host,
            InetAddress literal,
            int port,
            List<String> segments,
            String rawPath,
            String query,
            List<String> base) {

        boolean isUnder(Target prefix) {
            if (!scheme.equals(prefix.scheme) || !host.equals(prefix.host) || port != prefix.port) {
                return false;
            }
            List<String> dir = prefix.segments;
            // a prefix ending in "/" has an empty last segment: the directory itself
            if (!dir.isEmpty() && dir.get(dir.size() - 1).isEmpty()) {
                dir = dir.subList(0, dir.size() - 1);
            }
            return segments.size() >= dir.size()
                    && segments.subList(0, dir.size()).equals(dir);
        }

        Target under(Target prefix) {
            List<String> dir = prefix.segments;
            if (!dir.isEmpty() && dir.get(dir.size() - 1).isEmpty()) {
                dir = dir.subList(0, dir.size() - 1);
            }
            return new Target(scheme, host, literal, port, segments, rawPath, query, List.copyOf(dir));
        }

        /** The request target sent to the server: the path as written and the query. */
        public String requestTarget() {
            String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
            return query == null ? path : path + "?" + query;
        }

        /** What a message may say about where this is: scheme, host, port and path (no query). */
        public String describe() {
            if (scheme.equals("file")) {
                return UriRedaction.redact("file:" + rawPath);
            }
            String h = host.contains(":") ? "[" + host + "]" : host;
            return UriRedaction.redact(scheme + "://" + h + ":" + port + rawPath + (query == null ? "" : "?" + query));
        }
    }

    /** @param event true for an input URI, false for a configured prefix (which may end in an empty segment) */
    private static Target parse(String text, boolean event) throws Refused {
        if (text == null || text.isEmpty()) {
            throw new Refused("empty URI");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new Refused("not a URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw new Refused("not an absolute hierarchical URI");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SUPPORTED_SCHEMES.contains(scheme)) {
            throw new Refused("scheme " + UriRedaction.redact(scheme) + " is not supported");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("user info in the authority");
        }
        List<String> segments = segments(uri.getRawPath(), event, scheme.equals("file"));
        String rawPath = uri.getRawPath();
        if (scheme.equals("file")) {
            String authority = uri.getRawAuthority();
            if (authority != null && !authority.equalsIgnoreCase("localhost")) {
                throw new Refused("a file URI on another host");
            }
            return new Target(scheme, "", null, -1, segments, rawPath, uri.getRawQuery(), List.of());
        }
        String rawHost = uri.getHost();
        if (rawHost == null) {
            throw new Refused(
                    uri.getRawAuthority() == null
                            ? "no host"
                            : "host is not a DNS name or IP literal (or is ambiguous)");
        }
        String host = rawHost.toLowerCase(Locale.ROOT);
        InetAddress literal = null;
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
            if (host.contains("%")) {
                throw new Refused("IPv6 literal with a zone");
            }
            literal = literal(host);
            if (literal instanceof Inet4Address) {
                throw new Refused("IPv4-mapped IPv6 literal");
            }
            host = literal.getHostAddress(); // one spelling per address: [::1] and [0:0:0:0:0:0:0:1] are the same
        } else {
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1); // the same name, fully qualified
            }
            if (host.isEmpty() || host.endsWith(".")) {
                throw new Refused("empty host label");
            }
            if (NUMERIC_HOST.matcher(host).matches()) {
                if (!CANONICAL_IPV4.matcher(host).matches()) {
                    throw new Refused("ambiguous numeric host (decimal, octal, hex or short IPv4 form)");
                }
                literal = literal(host);
            } else if (REFUSED_NAMES.contains(host) || host.endsWith(".localhost")) {
                throw new Refused("host " + host + " is refused by name");
            }
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (port < 1 || port > 65535) {
            throw new Refused("port out of range");
        }
        return new Target(scheme, host, literal, port, segments, rawPath, uri.getRawQuery(), List.of());
    }

    private static InetAddress literal(String host) throws Refused {
        try {
            return InetAddress.getByName(host); // an IP literal: no lookup
        } catch (UnknownHostException e) {
            throw new Refused("malformed IP literal");
        }
    }

    /** The decoded segments of an absolute path after every check above; the leading "" of "/" dropped. */
    private static List<String> segments(String rawPath, boolean event, boolean file) throws Refused {
        if (rawPath == null || rawPath.isEmpty()) {
            return List.of();
        }
        if (!rawPath.startsWith("/")) {
            throw new Refused("relative path");
        }
        String[] raw = rawPath.substring(1).split("/", -1);
        List<String> decoded = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            String segment = raw[i];
            boolean last = i == raw.length - 1;
            if (segment.isEmpty() && !last) {
                throw new Refused("empty path segment (//)");
            }
            if (segment.isEmpty() && file && event && raw.length > 1) {
                throw new Refused("path ends in / (a directory)");
            }
            if (segment.indexOf(';') >= 0) {
                throw new Refused("path parameter (;)");
            }
            String once = percentDecode(segment);
            if (once.indexOf('/') >= 0 || once.indexOf('\\') >= 0) {
                throw new Refused("encoded slash or backslash in the path");
            }
            if (once.indexOf(';') >= 0) {
                throw new Refused("encoded path parameter (;)");
            }
            if (once.matches("(?s).*%[0-9a-fA-F]{2}.*")) {
                throw new Refused("double percent-encoding in the path");
            }
            for (int c = 0; c < once.length(); c++) {
                if (Character.isISOControl(once.charAt(c))) {
                    throw new Refused("control character in the path");
                }
            }
            String folded = Normalizer.normalize(once, Normalizer.Form.NFKC);
            if (once.strip().matches("\\.+") || folded.strip().matches("\\.+")) {
                // ".", "..", and the "..." or ".. " that some servers trim to ".."
                throw new Refused("dot segment in the path");
            }
            if (folded.indexOf('/') >= 0 || folded.indexOf('\\') >= 0) {
                throw new Refused("a character that normalises to a slash in the path");
            }
            decoded.add(once);
        }
        return List.copyOf(decoded);
    }

    /** Strict percent-decoding into UTF-8; a malformed escape or invalid UTF-8 (overlong forms) is refused. */
    private static String percentDecode(String segment) throws Refused {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw new Refused("malformed percent-encoding");
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new Refused("malformed percent-encoding");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                int end = segment.indexOf('%', i);
                end = end < 0 ? segment.length() : end;
                byte[] utf8 = segment.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i = end - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused("percent-encoding that is not UTF-8 (overlong or broken)");
        }
    }
}
