package org.hsclass;

/**
 * One word of the text and its weight for a code (positive: for it,
 * negative: for its competitors); start and end are char indexes into the
 * Java string that was explained.
 */
public record WordWeight(String word, double weight, int start, int end) {
}
