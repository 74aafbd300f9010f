package io.resnetstream.ingest;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UriPolicyTest {

    private final UriPolicy policy = new UriPolicy(
            Set.of("file", "HTTPS"),
            List.of("file:/data/images/", "https://images.example.com/", "https://cdn.example.com/public"));

    @Test
    void noneAllowsNothing() {
        assertThat(UriPolicy.none().allows("file:/data/images/a.jpg")).isFalse();
        assertThat(UriPolicy.none().allows("https://images.example.com/a.jpg")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "file:/data/images/a.jpg",
                "file:///data/images/sub/a.jpg",
                "file://localhost/data/images/a.jpg",
                "file:/data/images/a%20b.jpg",
                "https://images.example.com/a.jpg?size=large",
                "HTTPS://Images.Example.COM/a.jpg",
                "https://images.example.com:443/a.jpg",
                "https://cdn.example.com/public",
                "https://cdn.example.com/public/x/y.png",
            })
    void allowsUrisUnderAPrefix(String uri) {
        assertThat(policy.allows(uri)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "file:/data/images/sub/../a.jpg", // a dot segment is refused even where it stays inside
                "file:/data/images/../secret.txt",
                "file:/data/images/sub/../../secret.txt",
                "file:/data/images/%2e%2e/secret.txt",
                "file:/data/images/%2E%2E/%2e%2e/etc/passwd",
                "file:/data/images/..%2fsecret.txt",
                "file:/data/images/..%5csecret.txt",
                "file:/data/images/a.jpg%00.png",
                "file:/../data/images/a.jpg",
                "file:/data/imagesX/a.jpg",
                "file:/data/images",
                "file:/etc/passwd",
                "file://fileserver/data/images/a.jpg",
                "file:data/images/a.jpg",
                "file:/data/images/a.jpg?x=1",
                "http://images.example.com/a.jpg",
                "https://images.example.com.evil.net/a.jpg",
                "https://images.example.com@evil.net/a.jpg",
                "https://user:pass@images.example.com/a.jpg",
                "https://evil.net/https://images.example.com/a.jpg",
                "https://images.example.com:8443/a.jpg",
                "https://images.example.com/a/../../b.jpg",
                "https://cdn.example.com/publicity.png",
                "https://cdn.example.com/public/%2e%2e/private/x.png",
                "ftp://images.example.com/a.jpg",
                "jar:file:/data/images/a.zip!/a.jpg",
                "/data/images/a.jpg",
            })
    void refusesEverythingElse(String uri) {
        assertThat(policy.allows(uri)).isFalse();
    }

    @Test
    void schemeMustAlsoBeListed() {
        UriPolicy prefixOnly = new UriPolicy(Set.of("https"), List.of("https://images.example.com/"));

        assertThat(prefixOnly.allows("https://images.example.com/a.jpg")).isTrue();
        assertThat(prefixOnly.allows("file:/data/images/a.jpg")).isFalse();
        assertThatThrownBy(() -> new UriPolicy(Set.of("https"), List.of("file:/data/images/")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyFileHttpAndHttpsCanBeEnabled() {
        assertThatThrownBy(() -> new UriPolicy(Set.of("ftp"), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp");
        assertThatThrownBy(() -> new UriPolicy(Set.of("file"), List.of("file:/data/../etc/")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
