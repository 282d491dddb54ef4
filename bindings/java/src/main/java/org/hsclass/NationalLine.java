package org.hsclass;

/** A national tariff line: its scheme ("TEC-CEDEAO"), code and description. */
public record NationalLine(String scheme, String code, String description) {
}
