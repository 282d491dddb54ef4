package org.hsclass;

/** A national tariff scheme a model carries, and the language of its descriptions. */
public record NationalScheme(String name, String language) {
}
