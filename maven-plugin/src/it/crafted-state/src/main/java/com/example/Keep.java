package com.example;

/** Written by hand: the build must never delete it. */
public final class Keep {}
