package io.resnetstream.ingest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.resnetstream.outcome.RejectedInputException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile URIs and the verdict of the fetcher's policy on each: allowed, or refused and why. The host names resolve
 * through a resolver the test controls (below), so "resolves to" rows need no DNS. Some prefixes name hosts that a
 * careless operator might allow (an IP literal, a name that resolves to a private address): the address rules still
 * refuse them. Only the decision is taken here; {@link UriFetcherTest} shows the connection goes where it decided.
 */
class HostileUriTableTest {

    private static final Map<String, List<String>> DNS = Map.ofEntries(
            Map.entry("images.example.com", List.of("93.184.215.14")),
            Map.entry("cluster.example.com", List.of("10.20.3.4")),
            Map.entry("private.example.com", List.of("10.0.0.5")),
            Map.entry("loopback.example.com", List.of("127.0.0.1")),
            Map.entry("metadata.example.com", List.of("169.254.169.254")),
            Map.entry("v6loop.example.com", List.of("::1")),
            Map.entry("ula.example.com", List.of("fd12:3456::1")),
            Map.entry("ec2v6.example.com", List.of("fd00:ec2::254")),
            Map.entry("cgnat.example.com", List.of("100.64.1.1")),
            Map.entry("mixed.example.com", List.of("93.184.215.14", "10.0.0.5")),
            Map.entry("linklocal.example.com", List.of("169.254.10.10")),
            Map.entry("multicast.example.com", List.of("239.1.1.1")),
            Map.entry("zero.example.com", List.of("0.0.0.0")),
            Map.entry("teredo.example.com", List.of("2001:0:4136:e378::1")));

    private static final UriPolicy POLICY = new UriPolicy(
            Set.of("file", "http", "https"),
            List.of(
                    "https://images.example.com/public/",
                    "http://images.example.com:8080/public/",
                    "https://cluster.example.com/img/",
                    "https://private.example.com/",
                    "https://loopback.example.com/",
                    "https://metadata.example.com/",
                    "https://v6loop.example.com/",
                    "https://ula.example.com/",
                    "https://ec2v6.example.com/",
                    "https://cgnat.example.com/",
                    "https://mixed.example.com/",
                    "https://mapped.example.com/",
                    "https://linklocal.example.com/",
                    "https://multicast.example.com/",
                    "https://zero.example.com/",
                    "https://teredo.example.com/",
                    "http://127.0.0.1/",
                    "http://[::1]/",
                    "http://[::]/",
                    "http://169.254.169.254/",
                    "http://[2606:4700:4700::1111]/",
                    "file:/data/images/"),
            List.of("10.20.0.0/16"));

    private static final UriFetcher FETCHER = new UriFetcher(
            POLICY, 1000, Duration.ofSeconds(1), UriFetcher.Retry.NONE, HostileUriTableTest::resolve, null);

    private static List<InetAddress> resolve(String host) throws UnknownHostException {
        if (host.equals("mapped.example.com")) {
            // ::ffff:127.0.0.1 kept as an IPv6 address (Java's parser would turn it into 127.0.0.1)
            byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1};
            return List.of(Inet6Address.getByAddress(host, mapped, -1));
        }
        List<String> answer = DNS.get(host);
        if (answer == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String a : answer) {
            addresses.add(
                    InetAddress.getByAddress(host, InetAddress.getByName(a).getAddress()));
        }
        return addresses;
    }

    /** The verdict column: "allowed", or "refused: " and a phrase of the reason. */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            textBlock =
                    """
            # allowed
            https://images.example.com/public/cat.jpg                     | allowed
            HTTPS://Images.Example.COM/public/cat.jpg                     | allowed
            hTTpS://images.example.com/public/cat.jpg                     | allowed
            https://images.example.com./public/cat.jpg                    | allowed
            https://images.example.com:443/public/cat.jpg                 | allowed
            http://images.example.com:8080/public/cat.jpg                 | allowed
            https://images.example.com/public/a%20b.jpg                   | allowed
            https://images.example.com/public/caf%C3%A9.jpg               | allowed
            https://images.example.com/public/cat.jpg?X-Amz-Signature=abc | allowed
            https://images.example.com/public/cat.jpg#part                | allowed
            https://cluster.example.com/img/a.jpg                         | allowed
            http://[2606:4700:4700::1111]/a.jpg                           | allowed
            file:/data/images/a.jpg                                       | allowed
            file:///data/images/sub/a.jpg                                 | allowed
            file://localhost/data/images/a.jpg                            | allowed
            # dot segments, every encoding, path parameters, slashes
            https://images.example.com/public/../secret                   | refused: dot segment
            https://images.example.com/public/./cat.jpg                   | refused: dot segment
            https://images.example.com/public/%2e%2e/secret               | refused: dot segment
            https://images.example.com/public/%2E%2e/secret               | refused: dot segment
            https://images.example.com/public/.%2E/secret                 | refused: dot segment
            https://images.example.com/public/...                         | refused: dot segment
            https://images.example.com/public/%ef%bc%8e%ef%bc%8e/secret   | refused: dot segment
            https://images.example.com/public/%252e%252e/secret           | refused: double percent-encoding
            https://images.example.com/public/%25252e%25252e/secret       | refused: double percent-encoding
            https://images.example.com/public/..;/admin/secret            | refused: path parameter
            https://images.example.com/public/%2e%2e;/admin/secret        | refused: path parameter
            https://images.example.com/public/a.jpg;jsessionid=1          | refused: path parameter
            https://images.example.com/public/%2e%2e%3b/admin             | refused: encoded path parameter
            https://images.example.com/public/..%2fsecret                 | refused: encoded slash
            https://images.example.com/public/..%2F..%2Fsecret            | refused: encoded slash
            https://images.example.com/public/..%5csecret                 | refused: encoded slash or backslash
            https://images.example.com/public/%c0%ae%c0%ae/secret         | refused: not UTF-8
            https://images.example.com/public//cat.jpg                    | refused: empty path segment
            https://images.example.com/public/cat.jpg%00.png              | refused: control character
            https://images.example.com/public/%zz.jpg                     | refused: not a URI (Malformed escape pair
            file:/data/images/sub/                                        | refused: a directory
            # authority: user info, look-alike hosts, ports, schemes
            https://user:hunter2@images.example.com/public/cat.jpg        | refused: user info
            https://images.example.com@evil.example/public/cat.jpg        | refused: user info
            https://images.example.com.evil.example/public/cat.jpg        | refused: not under an allowed prefix
            https://images.example.com:8443/public/cat.jpg                | refused: not under an allowed prefix
            http://images.example.com/public/cat.jpg                      | refused: not under an allowed prefix
            https://images.example.com/publicity.jpg                      | refused: not under an allowed prefix
            https://images.example.com:0/public/cat.jpg                   | refused: port out of range
            https://images.example.com:99999/public/cat.jpg               | refused: port out of range
            https://images.example.com../public/cat.jpg                   | refused: not a DNS name
            https://a_b.example.com/public/cat.jpg                        | refused: not a DNS name
            ftp://images.example.com/public/cat.jpg                       | refused: not supported
            jar:file:/data/images/a.zip!/a.jpg                            | refused: not an absolute hierarchical URI
            //images.example.com/public/cat.jpg                           | refused: not an absolute hierarchical URI
            "https://images.example.com/public/a b.jpg"                   | refused: not a URI
            # IPv4 in other spellings, IPv6 literals
            http://2130706433/a.jpg                                       | refused: ambiguous numeric host
            http://0177.0.0.1/a.jpg                                       | refused: ambiguous numeric host
            http://017.0.0.1/a.jpg                                        | refused: ambiguous numeric host
            http://0x7f.1/a.jpg                                           | refused: not a DNS name
            http://127.1/a.jpg                                            | refused: not a DNS name
            http://127.0.0.1/a.jpg                                        | refused: loopback address 127.0.0.1
            http://127.0.0.1./a.jpg                                       | refused: not a DNS name
            http://[::1]/a.jpg                                            | refused: loopback address
            http://[0:0:0:0:0:0:0:1]/a.jpg                                | refused: loopback address
            http://[::]/a.jpg                                             | refused: unspecified address
            http://[::ffff:127.0.0.1]/a.jpg                               | refused: IPv4-mapped IPv6 literal
            http://[::ffff:7f00:1]/a.jpg                                  | refused: IPv4-mapped IPv6 literal
            http://[fe80::1%25eth0]/a.jpg                                 | refused: with a zone
            http://169.254.169.254/latest/meta-data/                      | refused: cloud metadata address 169.254.169.254
            # names refused by name
            http://localhost/a.jpg                                        | refused: refused by name
            http://LOCALHOST./a.jpg                                       | refused: refused by name
            http://images.localhost/a.jpg                                 | refused: refused by name
            http://metadata.google.internal/computeMetadata/v1/           | refused: refused by name
            # names that resolve (through the test's resolver) where they must not
            https://private.example.com/a.jpg                             | refused: private address 10.0.0.5
            https://loopback.example.com/a.jpg                            | refused: loopback address 127.0.0.1
            https://metadata.example.com/latest/meta-data/                | refused: cloud metadata address 169.254.169.254
            https://v6loop.example.com/a.jpg                              | refused: loopback address
            https://ula.example.com/a.jpg                                 | refused: unique-local address
            https://ec2v6.example.com/latest/meta-data/                   | refused: cloud metadata (EC2 IPv6)
            https://cgnat.example.com/a.jpg                               | refused: shared (CGNAT) address
            https://mixed.example.com/a.jpg                               | refused: private address 10.0.0.5
            https://mapped.example.com/a.jpg                              | refused: IPv4-mapped IPv6 address
            https://linklocal.example.com/a.jpg                           | refused: link-local address
            https://multicast.example.com/a.jpg                           | refused: multicast address
            https://zero.example.com/a.jpg                                | refused: unspecified ('this network') address
            https://teredo.example.com/a.jpg                              | refused: Teredo
            # file: URIs
            file:/data/images/../../etc/passwd                            | refused: dot segment
            file:/data/images/%2e%2e/%2e%2e/etc/passwd                    | refused: dot segment
            file:/etc/passwd                                              | refused: not under an allowed prefix
            file:/data/imagesX/a.jpg                                      | refused: not under an allowed prefix
            file://fileserver/data/images/a.jpg                           | refused: on another host
            file:/data/images/a.jpg?x=1                                   | refused: a file URI has no query
            file:/data/images                                             | refused: the allowed directory itself
            file:data/images/a.jpg                                        | refused: not an absolute hierarchical URI
            """)
    void verdict(String uri, String verdict) {
        String actual;
        try {
            FETCHER.admit(uri);
            actual = "allowed";
        } catch (RejectedInputException e) {
            actual = "refused (" + e.reason() + "): " + e.getMessage();
        }
        if (verdict.equals("allowed")) {
            assertThat(actual).as(uri).isEqualTo("allowed");
        } else {
            assertThat(actual).as(uri).startsWith("refused (URI_NOT_ALLOWED)").contains(verdict.substring(9));
        }
    }
}
