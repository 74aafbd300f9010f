package io.resnetstream.topology;

import java.time.Duration;

import org.eclipse.microprofile.config.spi.Converter;

import io.quarkus.runtime.configuration.DurationConverter;

/**
 * Quarkus's duration spellings ({@code 100ms}, {@code 2s}, {@code 1m}, ISO-8601 {@code PT0.1S}), except a bare
 * number: Quarkus reads {@code 200} as 200 seconds, while the setting it replaces
 * ({@code max-batch-delay-ms}) read it as milliseconds, so a bare number is refused rather than silently
 * taken a thousand times longer. Named on the mapping, so the tools' plain SmallRye config reads it alike.
 */
public final class DurationWithUnitConverter implements Converter<Duration> {

    @Override
    public Duration convert(String value) {
        String text = value.trim();
        if (text.isEmpty()) {
            return null; // unset: the default applies
        }
        if (text.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(
                    "a duration needs a unit, e.g. " + text + "ms or " + text + "s, not '" + value + "'");
        }
        return DurationConverter.parseDuration(text);
    }
}
