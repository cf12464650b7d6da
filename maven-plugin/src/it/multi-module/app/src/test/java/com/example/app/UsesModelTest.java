package com.example.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.models.Chain;
import org.junit.jupiter.api.Test;

class UsesModelTest {
  @Test
  void usesTheClassGeneratedInAnotherModule() {
    Chain chain = new Chain();
    assertEquals(-12, chain.valueAndGradient(-2, 5, -4), 0);
    assertEquals(3, chain.dz, 0);
  }
}
