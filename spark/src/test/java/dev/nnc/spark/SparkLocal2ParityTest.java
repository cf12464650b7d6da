package dev.nnc.spark;

import org.junit.jupiter.api.TestInstance;

/** The parity tests in {@code local[2]}: two executor threads for three partitions. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkLocal2ParityTest extends ParityTestBase {
  @Override
  String master() {
    return "local[2]";
  }
}
