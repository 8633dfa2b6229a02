package com.example;

/** Compiles, but does not implement SeldonPredictionService: the build must say so. */
public class NotAModel {
  public String predict(String request) {
    return request;
  }
}
