package org.hsclass;

/**
 * A training row near the classified text, from the model's precedent
 * memory: its code, similarity (0..1], its text (null unless the model was
 * trained with KEEP_PRECEDENT_TEXTS) and the training file it came from (""
 * for rows added through the API).
 */
public record Precedent(String code, double similarity, String text, String source) {
}
