package com.example;

import io.seldon.wrapper.api.SeldonPredictionService;

/** Does not compile: the build must fail with javac's message. */
public class Broken implements SeldonPredictionService {
  int answer = "not a number";
}
