package io.resnetstream.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which image URIs may be fetched: the scheme must be listed ({@code file}, {@code http}, {@code https}),
 * and the URI must lie under one of the prefixes, e.g. {@code file:/data/images/} or
 * {@code https://images.example.com/}. A prefix names a directory: {@code https://h/a} admits
 * {@code https://h/a/x.jpg} (and {@code https://h/a} itself) but not {@code https://h/ab.jpg}.
 *
 * <p>Matching compares scheme, host (ignoring case), port and the percent-decoded path, so
 * {@code https://images.example.com.evil.net/} or {@code https://images.example.com@evil.net/} never pass.
 * A URI is refused outright if, after resolving {@code .} and {@code ..}, its decoded path still has a
 * dot segment (an encoded {@code %2e%2e}, or one climbing above the root), a backslash or a NUL, or if it
 * carries user info. The default, {@link #none()}, allows nothing.
 */
public record UriPolicy(Set<String> allowedSchemes, List<String> allowedPrefixes) {

    private static final Set<String> SUPPORTED_SCHEMES = Set.of("file", "http", "https");

    public UriPolicy {
        allowedSchemes =
                allowedSchemes.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        allowedPrefixes = List.copyOf(allowedPrefixes);
        for (String scheme : allowedSchemes) {
            if (!SUPPORTED_SCHEMES.contains(scheme)) {
                throw new IllegalArgumentException(
                        "unsupported URI scheme '" + scheme + "', expected file, http or https");
            }
        }
        for (String prefix : allowedPrefixes) {
            Optional<URI> uri = parse(prefix);
            Optional<Location> location =
                    uri.filter(u -> u.equals(u.normalize())).flatMap(Location::of);
            if (location.isEmpty() || !allowedSchemes.contains(location.get().scheme())) {
                throw new IllegalArgumentException("prefix '" + prefix
                        + "' is not an absolute file, http or https URI with an allowed scheme and a clean path");
            }
        }
    }

    /** Allows nothing. */
    public static UriPolicy none() {
        return new UriPolicy(Set.of(), List.of());
    }

    public boolean allows(URI uri) {
        Optional<Location> location = Location.of(uri);
        return location.isPresent()
                && allowedSchemes.contains(location.get().scheme())
                && prefixes().anyMatch(prefix -> location.get().isUnder(prefix));
    }

    /**
     * Whether a file, its symbolic links resolved, still lies under the real path of an allowed
     * {@code file:} prefix; a link inside an allowed directory must not reach outside it.
     */
    boolean allowsRealFile(Path realFile) {
        return prefixes()
                .filter(prefix -> prefix.scheme().equals("file"))
                .map(prefix -> realPathOf(Path.of(prefix.path())))
                .flatMap(Optional::stream)
                .anyMatch(root -> realFile.startsWith(root));
    }

    private Stream<Location> prefixes() {
        return allowedPrefixes.stream()
                .map(UriPolicy::parse)
                .flatMap(Optional::stream)
                .map(Location::of)
                .flatMap(Optional::stream);
    }

    private static Optional<URI> parse(String uri) {
        try {
            return Optional.of(new URI(uri));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> realPathOf(Path path) {
        try {
            return Files.exists(path) ? Optional.of(path.toRealPath()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The parts of a URI that decide where it leads. */
    record Location(String scheme, String host, int port, String path) {

        static Optional<Location> of(URI uri) {
            if (uri == null || !uri.isAbsolute() || uri.isOpaque() || uri.getRawUserInfo() != null) {
                return Optional.empty();
            }
            URI normal = uri.normalize();
            String scheme = normal.getScheme().toLowerCase(Locale.ROOT);
            String path = normal.getPath() == null || normal.getPath().isEmpty() ? "/" : normal.getPath();
            if (!SUPPORTED_SCHEMES.contains(scheme) || !isClean(path)) {
                return Optional.empty();
            }
            String host = normal.getHost() == null ? "" : normal.getHost().toLowerCase(Locale.ROOT);
            if (scheme.equals("file")) {
                // file:/x, file:///x and file://localhost/x are local; any other authority is a remote share
                boolean local = normal.getRawAuthority() == null || host.equals("localhost");
                if (!local || normal.getRawQuery() != null) {
                    return Optional.empty();
                }
                return Optional.of(new Location(scheme, "", -1, path));
            }
            if (host.isEmpty()) {
                return Optional.empty();
            }
            int port = normal.getPort() != -1 ? normal.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(new Location(scheme, host, port, path));
        }

        /** Absolute, no dot segments left after normalisation, no backslash or NUL (decoded). */
        private static boolean isClean(String path) {
            if (!path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
                return false;
            }
            for (String segment : path.split("/", -1)) {
                if (segment.equals(".") || segment.equals("..")) {
                    return false;
                }
            }
            return true;
        }

        boolean isUnder(Location prefix) {
            if (!scheme.equals(prefix.scheme) || !host.equals(prefix.host) || port != prefix.port) {
                return false;
            }
            String directory = prefix.path.endsWith("/") ? prefix.path : prefix.path + "/";
            return path.equals(prefix.path) || path.startsWith(directory);
        }
    }
}
