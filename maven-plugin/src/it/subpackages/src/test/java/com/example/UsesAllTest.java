package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The user's own test: each folder's f is its own class. */
class UsesAllTest {
  @Test
  void eachFolderHasItsOwnClass() {
    assertEquals(9, new com.example.nn.a.F().valueAndGradient(3), 0);
    assertEquals(Math.exp(1), new com.example.nn.b.F().valueAndGradient(1), 1e-12);
    assertEquals(4, new com.example.nn.F().valueAndGradient(3), 0);
    assertEquals(Math.tanh(1), new com.example.nn.my_models.F().valueAndGradient(1), 1e-12);
  }
}
