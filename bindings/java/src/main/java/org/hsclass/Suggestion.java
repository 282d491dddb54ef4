package org.hsclass;

/**
 * One suggested code: the HS code ("020130"), its calibrated probability
 * (0..1), and its description in the chosen language when the model carries
 * one (else null).
 */
public record Suggestion(String code, double probability, String description) {
}
