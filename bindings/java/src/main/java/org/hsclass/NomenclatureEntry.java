package org.hsclass;

/** A described code of the model's nomenclature ("" when the language has no text for it). */
public record NomenclatureEntry(String code, String description) {
}
