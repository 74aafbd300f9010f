package io.resnetstream.tools;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AgreementTest {
    @Test
    void countsAgreementAndTheConfusionBetweenLabels() {
        Agreement a = new Agreement();
        a.add("circle", "circle");
        a.add("circle", "hexagon");
        a.add("circle", "circle");
        a.add("square", "square");

        assertThat(a.images()).isEqualTo(4);
        assertThat(a.agreeing()).isEqualTo(3);
        assertThat(a.rate()).isEqualTo(0.75);
        assertThat(a.count("circle", "hexagon")).isEqualTo(1);
        assertThat(a.count("square", "circle")).isZero();
        assertThat(a.render()).hasSize(3);
        assertThat(a.render().get(0)).contains("circle", "hexagon", "square");
        assertThat(a.render().get(1)).startsWith("circle").contains("66.7%");
        assertThat(a.render().get(2)).startsWith("square").contains("100.0%");
    }

    @Test
    void noImagesIsNoAgreement() {
        assertThat(new Agreement().rate()).isZero();
        assertThat(new Agreement().render()).hasSize(1);
    }
}
