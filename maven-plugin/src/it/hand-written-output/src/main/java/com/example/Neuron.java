package com.example;

/** Written by hand: the build must never overwrite or delete it. */
public final class Neuron {}
