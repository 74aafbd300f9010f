package io.resnetstream.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigMappings.ConfigClass;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's configuration table is the operators' reference: it must list exactly the keys of
 * {@link ResnetConfig}, each with its default (a key without one shows none in backquotes: "none", "from the
 * manifest"). Keys and defaults come from SmallRye's own reading of the mapping, not from a copy.
 */
class ConfigurationReferenceTest {
    /** A table row: {@code | `resnet.key` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\| `(resnet\\.[^`]+)` \\| ([^|]*) \\|");
    /** A default shown as code at the start of its cell: {@code `16`}, {@code `0` (one per core)}. */
    private static final Pattern CODE = Pattern.compile("^`([^`]*)`");

    @Test
    void theReadmeTableListsEveryKeyOfTheMappingWithItsDefaultAndNothingElse() throws IOException {
        Map<String, String> documented = readmeTable();
        Map<String, String> mapped = mappingDefaults();

        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(documented.keySet())
                    .as("keys in the README's configuration table")
                    .containsExactlyInAnyOrderElementsOf(mapped.keySet());
            mapped.forEach((key, defaultValue) -> softly.assertThat(documentedDefault(documented.get(key)))
                    .as("README default of %s", key)
                    .isEqualTo(defaultValue));
        });
    }

    @Test
    void everyRenamedKeyNamesAKeyOfTheMapping() {
        assertThat(mappingDefaults().keySet()).containsAll(RenamedSettings.RENAMED.values());
        assertThat(mappingDefaults().keySet()).doesNotContainAnyElementsOf(RenamedSettings.RENAMED.keySet());
    }

    /** Key → default for every leaf of the mapping; null where it has none. */
    private static Map<String, String> mappingDefaults() {
        Map<String, String> defaults = new TreeMap<>();
        for (Map.Entry<String, Property> e : ConfigMappings.getProperties(ConfigClass.configClass(ResnetConfig.class))
                .entrySet()) {
            if (e.getKey().endsWith("[*]")) {
                continue; // a list's indexed spelling (key[0], key[1]...) of a key listed once
            }
            Property property = e.getValue();
            defaults.put(e.getKey(), property.hasDefaultValue() ? property.getDefaultValue() : null);
        }
        return defaults;
    }

    /** Key → the default cell of each {@code resnet.*} row in the README's "## Configuration" section. */
    private static Map<String, String> readmeTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Configuration\n");
        assertThat(start).as("a '## Configuration' section in README.md").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                assertThat(rows.put(row.group(1), row.group(2).trim()))
                        .as("%s listed once", row.group(1))
                        .isNull();
            }
        }
        return rows;
    }

    private static String documentedDefault(String cell) {
        if (cell == null) {
            return null; // not listed: reported by the key check
        }
        Matcher code = CODE.matcher(cell);
        return code.find() ? code.group(1) : null;
    }
}
