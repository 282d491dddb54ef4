package org.hsclass;

import java.util.List;
import java.util.Map;

/**
 * What a model says about itself: the named metadata (HSC_INFO_*; "" when
 * the model lacks one), its number of labels, default accept threshold,
 * nomenclature languages, national schemes, and every META key/value pair.
 */
public record ModelInfo(String formatVersion, String hsEdition, String languages,
                        String stemmer, String tokenizer, String normalization, String hash,
                        String training, String labels, String fingerprint, String createdBy,
                        int labelCount, double acceptThreshold,
                        List<String> nomenclatureLanguages, List<NationalScheme> nationalSchemes,
                        Map<String, String> meta) {
    public ModelInfo {
        nomenclatureLanguages = List.copyOf(nomenclatureLanguages);
        nationalSchemes = List.copyOf(nationalSchemes);
        meta = Map.copyOf(meta);
    }
}
