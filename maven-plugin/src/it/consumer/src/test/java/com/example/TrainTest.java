package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.nn.Margin;
import com.example.nn.Quadrants;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The user's own test: trains the generated model on XOR-like quadrants. */
class TrainTest {
  static Dataset quadrants(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[rows * 2];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      x[2 * i] = (float) random.nextDouble(-1, 1);
      x[2 * i + 1] = (float) random.nextDouble(-1, 1);
      y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
    }
    return Dataset.classification("quadrants", x, rows, 2, y);
  }

  @Test
  void trainsTheGeneratedModel() {
    Quadrants model = new Quadrants();
    model.initialize(1);
    TrainingResult result = new Trainer(model).epochs(60).batchSize(32).seed(2)
        .fit(quadrants(1000, 3), quadrants(300, 4));
    assertTrue(result.last().testAccuracy() >= 0.9, "accuracy " + result.last().testAccuracy());
  }

  @Test
  void callsTheGeneratedFunction() {
    Margin m = new Margin();
    assertEquals(0.5, m.valueAndGradient(1, 1, 0, 0, 0), 1e-12);
    assertEquals(0.25, m.db, 1e-12);
  }
}
