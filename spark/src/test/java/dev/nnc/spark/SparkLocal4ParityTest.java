package dev.nnc.spark;

import org.junit.jupiter.api.TestInstance;

/** The parity tests in {@code local[4]}: more executor threads than partitions. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkLocal4ParityTest extends ParityTestBase {
  @Override
  String master() {
    return "local[4]";
  }
}
