package io.resnetstream.resnet.training;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StepLearningRateTest {

    @Test
    void dividesByTenAtHalfAndThreeQuarters() {
        StepLearningRate schedule = new StepLearningRate(0.1f, 8);
        assertThat(schedule.rate(0)).isEqualTo(0.1f);
        assertThat(schedule.rate(3)).isEqualTo(0.1f);
        assertThat(schedule.rate(4)).isEqualTo(0.01f);
        assertThat(schedule.rate(5)).isEqualTo(0.01f);
        assertThat(schedule.rate(6)).isEqualTo(0.001f);
        assertThat(schedule.rate(7)).isEqualTo(0.001f);
    }
}
